using System.Security.Cryptography;

namespace Porthole.Ssh.Keys;

/// <summary>
/// A validated OpenSSH public key. <see cref="Fingerprint"/> is what <c>ssh-keygen -lf</c> prints and what sshd logs:
/// <c>SHA256:</c> and the unpadded base64 of the SHA-256 of the <see cref="Blob"/>.
/// </summary>
public sealed class PublicKey
{
    internal PublicKey(string type, byte[] blob, string comment, int bits)
    {
        Type = type;
        Blob = blob;
        Comment = comment;
        Bits = bits;
        Fingerprint = FingerprintOf(blob);
    }

    /// <summary>The key type as OpenSSH writes it: <c>ssh-ed25519</c>, <c>ecdsa-sha2-nistp256</c>, <c>sk-ssh-ed25519@openssh.com</c>…</summary>
    public string Type { get; }

    /// <summary>The key in the SSH wire encoding (the base64 part of the line, decoded).</summary>
    public ReadOnlyMemory<byte> Blob { get; }

    /// <summary>What followed the key on its line (often <c>user@host</c>); may be empty.</summary>
    public string Comment { get; }

    public string Fingerprint { get; }

    /// <summary>The key size as <c>ssh-keygen -l</c> prints it: the RSA modulus, the ECDSA curve, 256 for ed25519.</summary>
    public int Bits { get; }

    /// <summary>The label <c>ssh-keygen -l</c> and sshd's log use: <c>ED25519</c>, <c>RSA</c>, <c>ECDSA</c>, <c>ED25519-SK</c>, <c>ECDSA-SK</c>.</summary>
    public string TypeLabel => KeyTypes.Label(Type);

    /// <summary>The key without its comment, as it goes into authorized_keys and known_hosts: <c>type base64</c>.</summary>
    public string KeyText => $"{Type} {Convert.ToBase64String(Blob.Span)}";

    /// <summary>Parses one public key line (<c>ssh-ed25519 AAAA… comment</c>); never throws for bad input.</summary>
    public static KeyParseResult Parse(string? text) => PublicKeyParser.Parse(text);

    public static string FingerprintOf(ReadOnlySpan<byte> blob) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');

    public override string ToString() => Comment.Length == 0 ? KeyText : $"{KeyText} {Comment}";
}
