namespace Porthole.Data;

/// <summary>
/// A project's RSA key pair for Travis <c>secure:</c> values (dialects.md §B12): anyone who may read the project encrypts
/// with its public half (<c>porthole encrypt</c>, or <c>travis encrypt</c> pointed here), and only the server decrypts. One
/// per project (a unique index), made on first need and kept for good: a new key would orphan every value made for the old.
/// Kept as a project's secrets are, never shown again, never logged.
/// </summary>
public sealed class ProjectKeyRecord
{
    public long Id { get; set; }
    public long ProjectId { get; set; }

    /// <summary>The private key as PEM (<c>-----BEGIN RSA PRIVATE KEY-----</c>, as Travis keeps its own); the public half is derived from it.</summary>
    public required string PrivateKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
