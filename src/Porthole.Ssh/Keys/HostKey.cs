namespace Porthole.Ssh.Keys;

/// <summary>
/// The runner's persistent ed25519 host key: the same for every node and every restart, so that the pinned
/// fingerprint users see in Enable SSH stays true (R-SSH-3). Made with <c>ssh-keygen</c> the first time.
/// </summary>
public sealed class HostKey
{
    private static readonly SemaphoreSlim CreateGate = new(1, 1);

    private HostKey(string privateKeyPath, PublicKey publicKey)
    {
        PrivateKeyPath = privateKeyPath;
        PublicKey = publicKey;
    }

    /// <summary>The private key file (mode 600), as sshd's <c>HostKey</c> names it.</summary>
    public string PrivateKeyPath { get; }

    public PublicKey PublicKey { get; }

    /// <summary>The public key as known_hosts wants it: <c>ssh-ed25519 AAAA…</c>.</summary>
    public string PublicLine => PublicKey.KeyText;

    public string Fingerprint => PublicKey.Fingerprint;

    /// <summary>Loads the key at <paramref name="path"/>, or makes it (and its folder) if it is missing.</summary>
    /// <exception cref="InvalidOperationException">The key could not be made or read.</exception>
    public static async Task<HostKey> LoadOrCreateAsync(string path, CancellationToken cancellationToken, string sshKeygenPath = "ssh-keygen")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        path = Path.GetFullPath(path);
        await CreateGate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(path))
            {
                await CreateAsync(path, sshKeygenPath, cancellationToken);
            }

            // sshd refuses a private key that others may read; a key copied in by hand may need this.
            if ((File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var publicText = File.Exists(path + ".pub")
                ? await File.ReadAllTextAsync(path + ".pub", cancellationToken)
                : await SshKeygen.RunAsync(sshKeygenPath, ["-y", "-f", path], cancellationToken);
            var parsed = PublicKey.Parse(publicText);
            if (!parsed.IsValid)
            {
                throw new InvalidOperationException($"The host key '{path}.pub' could not be read: {parsed.Problem.Message}");
            }

            return new HostKey(path, parsed.Key);
        }
        finally
        {
            CreateGate.Release();
        }
    }

    private static async Task CreateAsync(string path, string sshKeygenPath, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);

        // Made beside its final name and moved into place, so that a crash never leaves half a key behind.
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}");
        try
        {
            await SshKeygen.RunAsync(sshKeygenPath, ["-q", "-t", "ed25519", "-N", string.Empty, "-C", "porthole-runner", "-f", temporary], cancellationToken);
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temporary + ".pub", path + ".pub", overwrite: true);
            File.Move(temporary, path, overwrite: false);
        }
        finally
        {
            File.Delete(temporary);
            File.Delete(temporary + ".pub");
        }
    }
}
