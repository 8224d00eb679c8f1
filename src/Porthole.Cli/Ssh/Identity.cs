using System.Security.Cryptography;
using System.Text;

namespace Porthole.Cli.Ssh;

/// <summary>Which local key to offer a node: the first one ssh can use whose fingerprint the node accepts.</summary>
internal static class Identity
{
    public static LocalKey? Pick(LocalKeyScan scan, IReadOnlyCollection<string> accepted) =>
        scan.Keys.FirstOrDefault(key => key.Usable && accepted.Contains(key.Fingerprint));

    /// <summary>
    /// The file to pass to <c>ssh -i</c> for <paramref name="key"/>: its private key, else its public key (ssh then
    /// asks the agent for the matching private key). A key only the agent holds gets its public key written next to
    /// known_hosts for the same reason.
    /// </summary>
    public static async Task<string> PathForAsync(CliContext context, LocalKey key, string knownHostsPath, CancellationToken cancellationToken)
    {
        if (key.PrivateKeyPath is { } privateKey)
        {
            return privateKey;
        }

        if (key.PublicKeyPath is { } publicKey)
        {
            return publicKey;
        }

        var line = await LocalKeys.AgentPublicKeyAsync(context, key.Fingerprint, cancellationToken)
            ?? throw new CliException($"the SSH agent no longer holds the key {key.Fingerprint}: add it again with ssh-add, or pass --identity FILE");
        var folder = Path.GetDirectoryName(Path.GetFullPath(knownHostsPath))!;
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(key.Fingerprint)))[..16];
        var path = Path.Combine(folder, $"agent-key-{name}.pub");
        try
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(path, line.Key + "\n", cancellationToken);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write {path} (the agent key's public half, for ssh -i): {e.Message}");
        }

        return path;
    }
}
