using Porthole.Ssh.Keys;

namespace Porthole.Server.Web.Terminal;

/// <summary>
/// The key pair of one browser terminal, made by the real ssh-keygen in a folder of its own under
/// <c>DATA/web-terminal</c> (folders 0700, files 0600), with the known_hosts file that pins the node's host key.
/// Disposing it deletes the folder. The private key is never read by the server, only handed to ssh by its path.
/// </summary>
internal sealed class TerminalKeyPair : IDisposable
{
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly TimeSpan KeygenTimeout = TimeSpan.FromSeconds(30);

    private TerminalKeyPair(string folder, PublicKey publicKey)
    {
        Folder = folder;
        PublicKey = publicKey;
    }

    public string Folder { get; }

    public string PrivateKeyPath => Path.Combine(Folder, "key");

    public string KnownHostsPath => Path.Combine(Folder, "known_hosts");

    public PublicKey PublicKey { get; }

    /// <summary>Makes a new ed25519 key pair in a new folder under <paramref name="root"/>.</summary>
    public static async Task<TerminalKeyPair> CreateAsync(string root, TimeProvider time, CancellationToken ct)
    {
        Directory.CreateDirectory(root, PrivateFolder);
        File.SetUnixFileMode(root, PrivateFolder);
        var folder = Path.Combine(root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder, PrivateFolder);
        try
        {
            var keyPath = Path.Combine(folder, "key");
            using (var timeout = new CancellationTokenSource(KeygenTimeout, time))
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token))
            {
                await SshKeygen.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", string.Empty, "-C", "porthole-web-terminal", "-f", keyPath], stop.Token);
            }

            File.SetUnixFileMode(keyPath, PrivateFile);
            File.SetUnixFileMode(keyPath + ".pub", PrivateFile);
            var parsed = PublicKey.Parse(await File.ReadAllTextAsync(keyPath + ".pub", ct));
            return parsed.Key is { } key
                ? new TerminalKeyPair(folder, key)
                : throw new InvalidOperationException("ssh-keygen made a public key that does not parse.");
        }
        catch
        {
            DeleteFolder(folder);
            throw;
        }
    }

    /// <summary>Pins the node's host key: ssh then trusts that key for that address and no other (no trust on first use).</summary>
    public async Task PinHostKeyAsync(string host, int port, string hostKey, CancellationToken ct)
    {
        await File.WriteAllTextAsync(KnownHostsPath, $"{OpenSshText.KnownHostsName(host, port)} {hostKey}\n", ct);
        File.SetUnixFileMode(KnownHostsPath, PrivateFile);
    }

    public void Dispose() => DeleteFolder(Folder);

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
