using Porthole.Ssh.Keys;

namespace Porthole.Server.Ssh;

/// <summary>A key as the server keeps it: <see cref="Line"/> is <c>type base64</c>.</summary>
public sealed record CheckedKey(string Type, string Line, string Fingerprint, string? Comment, int? Bits);

public sealed record KeyCheckResult(CheckedKey? Key, string? Problem);

/// <summary>Validates a public key line with Porthole.Ssh's parser (R-KEY-1).</summary>
public static class KeyCheck
{
    public static KeyCheckResult Parse(string text)
    {
        var result = PublicKey.Parse(text);
        if (result.Key is not { } key)
        {
            return new KeyCheckResult(null, result.Problem?.Message ?? "This is not an SSH public key.");
        }

        return new KeyCheckResult(
            new CheckedKey(key.Type, key.KeyText, key.Fingerprint, key.Comment.Length == 0 ? null : key.Comment, key.Bits),
            null);
    }
}
