using System.Security.Cryptography;
using System.Text;

namespace Porthole.Server.Projects;

/// <summary>
/// Travis <c>secure:</c> values (dialects.md §B12): <c>base64(RSA_encrypt(plaintext))</c> with the project's key. Travis's
/// server decrypted with PKCS#1 v1.5 padding and clients have encrypted with either v1.5 or OAEP (SHA-1), so decryption
/// tries both. A value that cannot be read (not base64, the wrong length, made for another key such as travis-ci.com's,
/// not UTF-8) is null, never an exception; no value, read or not, is ever logged or put in a message.
/// </summary>
public static class SecureValues
{
    /// <summary>Longer text is not a secure value of any key up to 16384 bits, even with line breaks; it is not decoded at all.</summary>
    private const int MaxTextLength = 8 * 1024;

    /// <summary>Bytes that are not UTF-8 throw rather than become U+FFFD: a value for another key is then null, not garbage.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The plaintext of <paramref name="base64"/> (white space in it ignored, as Travis's own line-wrapped values have it),
    /// or null when it cannot be decrypted with <paramref name="key"/> (a private key) or is not UTF-8 text without NUL.
    /// </summary>
    public static string? Decrypt(RSA key, string? base64)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (string.IsNullOrWhiteSpace(base64) || base64.Length > MaxTextLength)
        {
            return null;
        }

        byte[] cipher;
        try
        {
            cipher = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }

        if (cipher.Length != (key.KeySize + 7) / 8)
        {
            return null;
        }

        var plain = TryDecrypt(key, cipher, RSAEncryptionPadding.OaepSHA1) ?? TryDecrypt(key, cipher, RSAEncryptionPadding.Pkcs1);
        if (plain is null)
        {
            return null;
        }

        try
        {
            var text = StrictUtf8.GetString(plain);
            return text.Contains('\0', StringComparison.Ordinal) ? null : text;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>
    /// <paramref name="plaintext"/> encrypted for <paramref name="publicKey"/> with OAEP (SHA-1), as base64 on one line: the
    /// string to write as <c>secure: "…"</c>. Throws <see cref="ArgumentException"/> past <see cref="MaxPlaintextBytes"/>.
    /// </summary>
    public static string Encrypt(RSA publicKey, string plaintext)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(plaintext);
        var bytes = StrictUtf8.GetBytes(plaintext);
        try
        {
            if (bytes.Length > MaxPlaintextBytes(publicKey))
            {
                throw new ArgumentException(
                    $"A secure value holds at most {MaxPlaintextBytes(publicKey)} bytes with a {publicKey.KeySize}-bit key; this one is {bytes.Length}.", nameof(plaintext));
            }

            return Convert.ToBase64String(publicKey.Encrypt(bytes, RSAEncryptionPadding.OaepSHA1));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The longest plaintext, in UTF-8 bytes, that <see cref="Encrypt"/> takes for <paramref name="key"/>: 470 for 4096 bits.</summary>
    public static int MaxPlaintextBytes(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);

        // OAEP with SHA-1: the modulus's bytes less two hashes (20 bytes each) and two bytes.
        return ((key.KeySize + 7) / 8) - (2 * 20) - 2;
    }

    private static byte[]? TryDecrypt(RSA key, byte[] cipher, RSAEncryptionPadding padding)
    {
        try
        {
            return key.Decrypt(cipher, padding);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
