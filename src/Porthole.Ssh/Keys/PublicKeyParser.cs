using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Porthole.Ssh.Keys;

/// <summary>
/// Reads one OpenSSH public key line (R-KEY-1) and says exactly what is wrong when it is not one: the mistakes people
/// make when they paste a key (the private key, a line of authorized_keys with its options, two keys, a DSA key).
/// </summary>
internal static class PublicKeyParser
{
    private const int MaximumTextLength = 16 * 1024;
    private const string Example = "e.g. ~/.ssh/id_ed25519.pub";

    public static KeyParseResult Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return KeyParseResult.Refused(KeyProblemKind.Empty, $"The key is empty; paste the contents of your public key file ({Example}).");
        }

        if (text.Length > MaximumTextLength)
        {
            return KeyParseResult.Refused(KeyProblemKind.NotAKey, "This is too long to be an SSH public key; add the contents of one .pub file.");
        }

        if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal) || text.StartsWith("PuTTY-User-Key-File", StringComparison.Ordinal))
        {
            return KeyParseResult.Refused(KeyProblemKind.PrivateKey, $"This is a private key; add the .pub file, {Example}. Keep the private key to yourself.");
        }

        if (text.Contains("BEGIN SSH2 PUBLIC KEY", StringComparison.Ordinal))
        {
            return KeyParseResult.Refused(
                KeyProblemKind.NotAKey,
                "This is a public key in the SSH2 (RFC 4716) format; convert it to OpenSSH's with `ssh-keygen -i -f FILE` and add that line.");
        }

        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var keyLines = lines.Where(l => !l.StartsWith('#')).ToList();
        if (keyLines.Count == 0)
        {
            return CommentOnly();
        }

        if (keyLines.Count > 1)
        {
            return keyLines.Count(l => Words(l).Any(KeyTypes.LooksLikeType)) > 1
                ? KeyParseResult.Refused(KeyProblemKind.MultipleKeys, "This holds more than one key; add them one at a time.")
                : KeyParseResult.Refused(KeyProblemKind.NotAKey, "The key must be on a single line; it looks split across lines. Paste the .pub file's line as it is.");
        }

        return ParseLine(keyLines[0]);
    }

    private static KeyParseResult ParseLine(string line)
    {
        var words = Words(line);
        var type = words[0];
        if (!KeyTypes.LooksLikeType(type))
        {
            if (words.Skip(1).Any(KeyTypes.LooksLikeType))
            {
                return KeyParseResult.Refused(
                    KeyProblemKind.HasOptions,
                    "This line has options before the key type, as in authorized_keys; remove the options before the key type and add only `type key comment`.");
            }

            if (TryDecode(type, out var orphan) && TryReadType(orphan, out var orphanType) && KeyTypes.LooksLikeType(orphanType))
            {
                return KeyParseResult.Refused(KeyProblemKind.NotAKey, $"The key type is missing; the line must start with '{orphanType}'.");
            }

            return words.Length == 1 && (type.Contains('@', StringComparison.Ordinal) || !TryDecode(type, out _))
                ? CommentOnly()
                : KeyParseResult.Refused(KeyProblemKind.NotAKey, $"This is not an SSH public key; add the contents of your .pub file ({Example}).");
        }

        if (type == KeyTypes.Dsa)
        {
            return KeyParseResult.Refused(
                KeyProblemKind.UnsupportedType,
                "DSA keys (ssh-dss) are not accepted: they are weak and OpenSSH has dropped them. Make an ed25519 key with `ssh-keygen -t ed25519` and add its .pub file.");
        }

        if (type.EndsWith("-cert-v01@openssh.com", StringComparison.Ordinal))
        {
            return KeyParseResult.Refused(KeyProblemKind.UnsupportedType, "Certificates are not accepted; add the plain public key (the .pub file without -cert).");
        }

        if (!KeyTypes.IsAccepted(type))
        {
            return KeyParseResult.Refused(
                KeyProblemKind.UnsupportedType,
                $"'{type}' keys are not accepted; use ed25519, ecdsa, rsa of 2048 bits or more, or a security key (ed25519-sk, ecdsa-sk).");
        }

        if (words.Length < 2)
        {
            return KeyParseResult.Refused(KeyProblemKind.NotAKey, $"The key data after '{type}' is missing; paste the whole line of the .pub file.");
        }

        if (!TryDecode(words[1], out var blob))
        {
            return KeyParseResult.Refused(KeyProblemKind.NotBase64, $"The key data after '{type}' is not valid base64; paste the line of the .pub file unchanged.");
        }

        var comment = CommentAfter(line, words[1]);
        var commentWords = Words(comment);
        for (var i = 0; i + 1 < commentWords.Length; i++)
        {
            if (KeyTypes.LooksLikeType(commentWords[i]) && TryDecode(commentWords[i + 1], out _))
            {
                return KeyParseResult.Refused(KeyProblemKind.MultipleKeys, "This holds more than one key; add them one at a time.");
            }
        }

        return ParseBlob(type, blob, comment);
    }

    private static KeyParseResult ParseBlob(string type, byte[] blob, string comment)
    {
        var reader = new SshWireReader(blob);
        if (!reader.TryReadText(out var innerType))
        {
            return Malformed(type);
        }

        if (innerType != type)
        {
            return KeyParseResult.Refused(
                KeyProblemKind.TypeMismatch,
                $"The line says '{type}' but the key data is a '{innerType}' key; paste the .pub file's line unchanged.");
        }

        int bits;
        switch (type)
        {
            case KeyTypes.Ed25519:
                if (!reader.TryReadString(out var ed) || ed.Length != 32)
                {
                    return Malformed(type);
                }

                bits = 256;
                break;
            case KeyTypes.SkEd25519:
                if (!reader.TryReadString(out var sked) || sked.Length != 32 || !reader.TryReadText(out _))
                {
                    return Malformed(type);
                }

                bits = 256;
                break;
            case KeyTypes.Rsa:
                if (!reader.TryReadString(out var exponent) || !reader.TryReadString(out var modulus)
                    || !IsPositive(exponent) || !IsPositive(modulus))
                {
                    return Malformed(type);
                }

                bits = (int)new BigInteger(modulus, isUnsigned: true, isBigEndian: true).GetBitLength();
                if (bits < KeyTypes.MinimumRsaBits)
                {
                    return KeyParseResult.Refused(
                        KeyProblemKind.RsaTooShort,
                        $"RSA keys must have at least {KeyTypes.MinimumRsaBits} bits; this one has {bits}. Make a new key with `ssh-keygen -t ed25519` (or `-t rsa -b 4096`).");
                }

                if (bits > KeyTypes.MaximumRsaBits)
                {
                    return KeyParseResult.Refused(KeyProblemKind.MalformedKey, $"RSA keys may have at most {KeyTypes.MaximumRsaBits} bits; this one has {bits}.");
                }

                break;
            case KeyTypes.EcdsaP256 or KeyTypes.EcdsaP384 or KeyTypes.EcdsaP521 or KeyTypes.SkEcdsaP256:
                if (!TryReadEcdsa(ref reader, type, out bits))
                {
                    return Malformed(type);
                }

                if (type == KeyTypes.SkEcdsaP256 && !reader.TryReadText(out _))
                {
                    return Malformed(type);
                }

                break;
            default:
                return Malformed(type);
        }

        return reader.AtEnd ? KeyParseResult.Valid(new PublicKey(type, blob, comment, bits)) : Malformed(type);
    }

    private static bool TryReadEcdsa(ref SshWireReader reader, string type, out int bits)
    {
        var (curveName, curve, coordinateLength) = type switch
        {
            KeyTypes.EcdsaP384 => ("nistp384", ECCurve.NamedCurves.nistP384, 48),
            KeyTypes.EcdsaP521 => ("nistp521", ECCurve.NamedCurves.nistP521, 66),
            _ => ("nistp256", ECCurve.NamedCurves.nistP256, 32),
        };
        bits = type switch
        {
            KeyTypes.EcdsaP384 => 384,
            KeyTypes.EcdsaP521 => 521,
            _ => 256,
        };
        if (!reader.TryReadText(out var name) || name != curveName || !reader.TryReadString(out var point)
            || point.Length != 1 + (2 * coordinateLength) || point[0] != 0x04)
        {
            return false;
        }

        try
        {
            // Importing checks that the point is on the curve, as ssh-keygen does.
            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = point.Slice(1, coordinateLength).ToArray(), Y = point.Slice(1 + coordinateLength).ToArray() },
            });
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static bool IsPositive(ReadOnlySpan<byte> mpint) => mpint.Length > 0 && (mpint[0] & 0x80) == 0 && mpint.ContainsAnyExcept((byte)0);

    private static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length < 8 || text.Length % 4 != 0)
        {
            return false;
        }

        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }

    private static bool TryReadType(byte[] blob, out string type)
    {
        var reader = new SshWireReader(blob);
        return reader.TryReadText(out type);
    }

    private static string CommentAfter(string line, string keyData)
    {
        var at = line.IndexOf(keyData, StringComparison.Ordinal);
        return line[(at + keyData.Length)..].Trim();
    }

    private static string[] Words(string line) => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    private static KeyParseResult CommentOnly() =>
        KeyParseResult.Refused(KeyProblemKind.CommentOnly, $"This is only a comment, not a key; paste the whole line of your .pub file ({Example}), starting with its type.");

    private static KeyParseResult Malformed(string type) =>
        KeyParseResult.Refused(KeyProblemKind.MalformedKey, $"The '{type}' key data is damaged; paste the line of the .pub file unchanged.");
}
