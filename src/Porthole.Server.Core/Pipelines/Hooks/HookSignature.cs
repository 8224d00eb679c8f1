using System.Security.Cryptography;
using System.Text;

namespace Porthole.Server.Pipelines;

/// <summary>
/// GitHub's <c>X-Hub-Signature-256</c>: <c>sha256=</c> and the lower-case hex HMAC-SHA256 of the raw body, keyed with the
/// hook's secret. Compared in constant time; the secret and the signatures are never logged or put in an error.
/// </summary>
public static class HookSignature
{
    public const string Header = "X-Hub-Signature-256";

    private const string Prefix = "sha256=";

    /// <summary>A new secret: 32 random bytes as 64 hex characters.</summary>
    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>The header's value for <paramref name="body"/> signed with <paramref name="secret"/>.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>
    /// Whether <paramref name="header"/> is the signature of <paramref name="body"/> with <paramref name="secret"/>. With no
    /// secret the HMAC is still computed (with a throwaway key), so that the answer takes as long either way.
    /// </summary>
    public static bool Verifies(string? secret, string? header, ReadOnlySpan<byte> body)
    {
        var key = secret is null ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(secret);
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, body, expected);

        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var wellFormed = header is not null
            && header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            && header.Length == Prefix.Length + (2 * HMACSHA256.HashSizeInBytes)
            && Convert.FromHexString(header.AsSpan(Prefix.Length), given, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == given.Length;
        return CryptographicOperations.FixedTimeEquals(expected, given) && wellFormed && secret is not null;
    }
}
