using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Porthole.Cli.Ssh;

/// <summary>An OpenSSH public key as one line, <c>type base64 [comment]</c>, and its <c>SHA256:</c> fingerprint.</summary>
internal sealed partial record PublicKeyLine(string Type, string Base64, string? Comment)
{
    /// <summary>The key as known_hosts and authorized_keys want it: <c>type base64</c>, without the comment.</summary>
    public string Key => $"{Type} {Base64}";

    /// <summary>OpenSSH's <c>SHA256:</c> fingerprint: the unpadded base64 of the SHA-256 of the key's blob.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(Base64))).TrimEnd('=');

    /// <summary>The key of a line such as <c>ssh-ed25519 AAAA… you@host</c>; null when it is not one.</summary>
    public static PublicKeyLine? TryParse(string? line)
    {
        if (string.IsNullOrWhiteSpace(line) || line.Contains('\n', StringComparison.Ordinal) || line.Contains('\r', StringComparison.Ordinal))
        {
            return null;
        }

        var parts = line.Trim().Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !KeyType().IsMatch(parts[0]) || !Base64Text().IsMatch(parts[1]))
        {
            return null;
        }

        try
        {
            Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            return null;
        }

        return new PublicKeyLine(parts[0], parts[1], parts.Length > 2 ? parts[2].Trim() : null);
    }

    [GeneratedRegex("^[a-z][a-z0-9@.\\-]{2,63}$")]
    private static partial Regex KeyType();

    [GeneratedRegex("^[A-Za-z0-9+/]+={0,2}$")]
    private static partial Regex Base64Text();
}
