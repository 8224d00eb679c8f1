using System.Text;

namespace Porthole.Cli.Ssh;

/// <summary>Reads the one public key line of a <c>.pub</c> file for <c>porthole keys add</c>, refusing a private key given by mistake.</summary>
internal static class PublicKeyFile
{
    /// <summary>Larger files are refused unread: an OpenSSH public key line, even RSA of 16384 bits, is far smaller.</summary>
    public const int MaxBytes = 16 * 1024;

    public static async Task<string> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var rules = new TextFileRules(MaxBytes, "a public key file such as ~/.ssh/id_ed25519.pub", _ => "is over 16 KiB: a public key is one line (pass FILE.pub, e.g. ~/.ssh/id_ed25519.pub)")
        {
            MissingHint = "make a key with ssh-keygen -t ed25519, then pass ~/.ssh/id_ed25519.pub",
        };
        var text = await BoundedFile.ReadTextAsync(path, rules, cancellationToken);
        if (IsPrivateKey(text))
        {
            var publicPath = path.EndsWith(".pub", StringComparison.Ordinal) ? "the matching .pub file" : path + ".pub";
            throw new CliException($"{path}: that is a private key; pass {publicPath} (never share the private key)");
        }

        if (text.Contains("---- BEGIN SSH2 PUBLIC KEY ----", StringComparison.Ordinal))
        {
            throw new CliException($"{path} is an SSH2 (RFC 4716) public key: convert it with ssh-keygen -i -f {path} > key.pub and pass key.pub");
        }

        var lines = text.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToList();
        return lines.Count switch
        {
            0 => throw new CliException($"{path} holds no public key: pass a file such as ~/.ssh/id_ed25519.pub"),
            1 when PublicKeyLine.TryParse(lines[0]) is not null => lines[0],
            1 => throw new CliException($"{path} is not an OpenSSH public key (a line such as 'ssh-ed25519 AAAA… you@host'): pass FILE.pub"),
            _ => throw new CliException($"{path} holds {lines.Count} lines: add one public key at a time, one line each"),
        };
    }

    private static bool IsPrivateKey(string text) =>
        (text.Contains("-----BEGIN ", StringComparison.Ordinal) && text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        || text.StartsWith("PuTTY-User-Key-File-", StringComparison.Ordinal);
}
