namespace Porthole.Ssh.Keys;

/// <summary>The OpenSSH key type names Porthole knows, accepted or not.</summary>
internal static class KeyTypes
{
    public const string Ed25519 = "ssh-ed25519";
    public const string Rsa = "ssh-rsa";
    public const string EcdsaP256 = "ecdsa-sha2-nistp256";
    public const string EcdsaP384 = "ecdsa-sha2-nistp384";
    public const string EcdsaP521 = "ecdsa-sha2-nistp521";
    public const string SkEd25519 = "sk-ssh-ed25519@openssh.com";
    public const string SkEcdsaP256 = "sk-ecdsa-sha2-nistp256@openssh.com";
    public const string Dsa = "ssh-dss";

    public const int MinimumRsaBits = 2048;

    /// <summary>OpenSSH refuses RSA moduli above this size.</summary>
    public const int MaximumRsaBits = 16384;

    public static readonly IReadOnlyList<string> Accepted =
        [Ed25519, EcdsaP256, EcdsaP384, EcdsaP521, Rsa, SkEd25519, SkEcdsaP256];

    public static bool IsAccepted(string type) => Accepted.Contains(type, StringComparer.Ordinal);

    /// <summary>Whether a word looks like a key type, accepted or not: what marks the start of a key on a line.</summary>
    public static bool LooksLikeType(string word) =>
        IsAccepted(word)
        || word == Dsa
        || word.StartsWith("ssh-", StringComparison.Ordinal)
        || word.StartsWith("ecdsa-", StringComparison.Ordinal)
        || word.StartsWith("sk-", StringComparison.Ordinal)
        || word.EndsWith("-cert-v01@openssh.com", StringComparison.Ordinal);

    /// <summary>The label <c>ssh-keygen -l</c> prints for the type: <c>ED25519</c>, <c>RSA</c>, <c>ECDSA-SK</c>.</summary>
    public static string Label(string type) => type switch
    {
        Ed25519 => "ED25519",
        Rsa => "RSA",
        EcdsaP256 or EcdsaP384 or EcdsaP521 => "ECDSA",
        SkEd25519 => "ED25519-SK",
        SkEcdsaP256 => "ECDSA-SK",
        _ => type,
    };
}
