namespace Porthole.Data;

/// <summary>
/// A context (CircleCI's, dialects.md §A6): a named set of variables and secrets that the jobs naming it get, when the
/// user who started them has at least <see cref="Role"/> in the job's project. Server-wide, made by a server admin.
/// </summary>
public sealed class ContextRecord
{
    public long Id { get; set; }
    public required string Name { get; set; }

    /// <summary>The project role (<c>read</c>, <c>write</c>, <c>admin</c>) a job's starter needs to use the context.</summary>
    public required string Role { get; set; }
    public long CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A variable of a context; a secret one is never shown again and is masked in every log, as a project's secret is.</summary>
public sealed class ContextVariableRecord
{
    public long ContextId { get; set; }
    public required string Name { get; set; }
    public required string Value { get; set; }
    public bool Secret { get; set; }
}

/// <summary>
/// A project's additional SSH key (CircleCI's <c>add_ssh_keys</c>, §A5): the private key, kept as a project's secrets are
/// and never shown again, with the fingerprints it is found by (MD5 <c>aa:bb:…</c>, <c>SHA256:…</c>) and the host it is for.
/// </summary>
public sealed class ProjectSshKeyRecord
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public required string Md5 { get; set; }
    public required string Sha256 { get; set; }

    /// <summary>The key type as <c>ssh-keygen -l</c> labels it: <c>ED25519</c>, <c>RSA</c>, <c>ECDSA</c>.</summary>
    public required string Type { get; set; }
    public int Bits { get; set; }

    /// <summary>The host the key is for (an ssh_config <c>Host</c> pattern); null: every host.</summary>
    public string? Host { get; set; }

    /// <summary>The private key in OpenSSH's (or PEM) text form, with a final newline.</summary>
    public required string PrivateKey { get; set; }

    /// <summary>The public key as <c>type base64</c>.</summary>
    public required string PublicKey { get; set; }
    public long AddedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
