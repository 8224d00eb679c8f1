using System.Security.Cryptography;
using Porthole.Server.Data;
using Porthole.Ssh.Keys;

namespace Porthole.Server.Projects;

/// <summary>
/// Reads a project's additional SSH key (§A5 <c>add_ssh_keys</c>) from its private key's text. OpenSSH's
/// <c>ssh-keygen -y -P '' -f</c> derives the public key from a copy in a folder of the data folder's own (0700, the file
/// 0600, both deleted at once), which also proves the text is a private key with no passphrase; the fingerprints are
/// then those <c>ssh-keygen -l -E md5</c> and <c>-E sha256</c> print, computed from that public key's blob.
/// </summary>
public static class PrivateKeyReader
{
    /// <summary>The longest private key text taken (an RSA key of 16384 bits is about 12 KiB).</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>A private key that ssh-keygen read, with its public key and both fingerprints.</summary>
    public sealed record ReadKey(string PrivateKey, PublicKey Public, string Md5, string Sha256)
    {
        public override string ToString() => $"ReadKey {{ Md5 = {Md5}, Sha256 = {Sha256}, PrivateKey = *** }}";
    }

    private const string Shape = "send the text of a private key file without a passphrase (-----BEGIN OPENSSH PRIVATE KEY----- …)";

    /// <summary>The key, or why the text is not one (never quoting it).</summary>
    /// <param name="scratchRoot">A folder of the server's own (the data folder) for the moment ssh-keygen reads the copy.</param>
    public static async Task<(ReadKey? Key, string? Problem)> ReadAsync(string text, string scratchRoot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n', ' ', '\t') + "\n";
        if (text.Length > MaxLength)
        {
            return (null, $"That is not an SSH private key: it is over {MaxLength / 1024} KiB; {Shape}.");
        }

        if (normalized.StartsWith("ssh-", StringComparison.Ordinal) || normalized.StartsWith("ecdsa-", StringComparison.Ordinal)
            || normalized.StartsWith("sk-", StringComparison.Ordinal))
        {
            return (null, $"That is a public key, not an SSH private key: {Shape}.");
        }

        if (!normalized.StartsWith("-----BEGIN ", StringComparison.Ordinal) || !normalized.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return (null, $"That is not an SSH private key: {Shape}.");
        }

        var folder = Path.Combine(scratchRoot, "key-check", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder, DataFolder.PrivateFolder);
        try
        {
            var file = Path.Combine(folder, "key");
            await using (var stream = new FileStream(file, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = DataFolder.PrivateFile }))
            await using (var writer = new StreamWriter(stream))
            {
                await writer.WriteAsync(normalized.AsMemory(), ct);
            }

            string publicText;
            try
            {
                publicText = await SshKeygen.RunAsync("ssh-keygen", ["-y", "-P", string.Empty, "-f", file], ct);
            }
            catch (InvalidOperationException e)
            {
                // ssh-keygen's own words name only the file, never the key.
                if (e.Message.Contains("could not be started", StringComparison.Ordinal))
                {
                    return (null, "The server cannot read SSH keys: ssh-keygen could not be started (install openssh-client on the server).");
                }

                return e.Message.Contains("passphrase", StringComparison.OrdinalIgnoreCase)
                    ? (null, "That SSH private key is protected by a passphrase, which a job cannot type: remove it from a copy (ssh-keygen -p -N '' -f COPY) and add that.")
                    : (null, $"That is not an SSH private key (ssh-keygen cannot read it): {Shape}.");
            }

            var parsed = PublicKey.Parse(publicText);
            if (!parsed.IsValid)
            {
                return (null, $"That is not an SSH private key (its public key cannot be read: {parsed.Problem.Message}).");
            }

            var blob = parsed.Key.Blob.Span;
            return (new ReadKey(normalized, parsed.Key, Md5Of(blob), parsed.Key.Fingerprint), null);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>What <c>ssh-keygen -l -E md5</c> prints after <c>MD5:</c>: the MD5 of the key's blob as lowercase hex pairs.</summary>
    public static string Md5Of(ReadOnlySpan<byte> blob)
    {
#pragma warning disable CA5351 // Not for security: the MD5 fingerprint is how CircleCI configs name a key (§A5 add_ssh_keys).
        var hash = MD5.HashData(blob);
#pragma warning restore CA5351
        return string.Join(':', hash.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
