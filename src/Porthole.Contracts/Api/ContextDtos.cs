namespace Porthole.Contracts.Api;

// Wire shapes of contexts (CircleCI's named sets of variables and secrets, dialects.md §A6) and of a project's
// additional SSH keys (add_ssh_keys, §A5). JSON is snake_case (see ApiJson).

/// <summary>
/// Makes a context (server admins). <see cref="Role"/> is the project role a pipeline's user needs in the job's project
/// to use it: <c>read</c>, <c>write</c> (the default) or <c>admin</c>.
/// </summary>
public sealed record CreateContextRequest(string? Name, string? Role);

/// <summary>A context without its values: its name, the role it asks for, and how many variables it holds.</summary>
public sealed record ContextView(string Name, string Role, DateTimeOffset CreatedAt, int Variables);

/// <summary>
/// Adds an additional SSH key to a project: the private key as OpenSSH or PEM text (no passphrase), and the host it is for
/// (null: every host).
/// </summary>
public sealed record AddProjectSshKeyRequest(string? PrivateKey, string? Host);

/// <summary>
/// A project's additional SSH key as listed: never the key, only its fingerprints (<c>aa:bb:…</c> and <c>SHA256:…</c>, as
/// <c>add_ssh_keys</c>' <c>fingerprints</c> take them), its type and size, and the host it is for.
/// </summary>
public sealed record ProjectSshKeyView(string Md5, string Sha256, string Type, int Bits, string? Host, DateTimeOffset CreatedAt);

/// <summary>The error codes of contexts and project SSH keys, carried in ProblemDetails' <c>code</c> extension.</summary>
public static class ContextErrorCodes
{
    public const string ContextNotFound = "context_not_found";
    public const string ContextExists = "context_exists";
    public const string NotAPrivateKey = "not_a_private_key";
    public const string SshKeyExists = "ssh_key_exists";
    public const string SshKeyNotFound = "ssh_key_not_found";
}
