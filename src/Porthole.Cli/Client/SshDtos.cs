namespace Porthole.Cli.Client.SshApi;

// Wire shapes of keys and SSH reruns (R-KEY-*, R-SSH-*) as this CLI reads and sends them; snake_case through ApiJson.
// They mirror the server's and are meant to move to Porthole.Contracts.Api: until then they live in their own
// namespace, imported only by the files that need them, so they never clash with same-named contracts.

public sealed record AddKeyRequest(string PublicKey, string? Title);

public sealed record SshKeyView(string Fingerprint, string Type, string? Comment, int? Bits, string? Title, DateTimeOffset CreatedAt);

/// <summary>Import the public keys a code host lists for an account: <c>github:USER</c>, <c>gitlab:USER</c> or <c>bitbucket:USER</c>.</summary>
public sealed record ImportKeysRequest(string Source);

public sealed record ImportKeysResult(IReadOnlyList<SshKeyView> Added, IReadOnlyList<SkippedKey> Skipped);

/// <summary>A line of an import that was not added; <see cref="Line"/> is its first 60 characters.</summary>
public sealed record SkippedKey(string? Fingerprint, string Line, string Reason);

/// <summary><c>POST /api/jobs/{id}/rerun</c> asking for the job alone with an SSH endpoint per node (R-SSH-1).</summary>
public sealed record SshRerunRequest(bool Ssh);

/// <summary><c>PUT /api/projects/{name}/settings</c>: only the settings given are changed.</summary>
public sealed record ProjectSettingsRequest(bool? DebugEnabled, bool? SshWriteMembers);

/// <summary>The part of a project's view that its settings command shows.</summary>
public sealed record ProjectSettingsView(string Name, bool DebugEnabled, bool SshWriteMembers);

/// <summary>Where one node of an SSH attempt can be entered; host and port are null until its sshd is up.</summary>
public sealed record SshNodeView(
    int Index,
    string Status,
    string? Host,
    int? Port,
    string? User,
    string? HostKey,
    string? HostKeyFingerprint,
    IReadOnlyList<string>? AcceptedFingerprints,
    string? Command);

/// <summary>One key offered to a node's sshd: accepted, or refused with the reason (R-SSH-4).</summary>
public sealed record SshKeyEventView(
    DateTimeOffset At,
    int Node,
    bool Accepted,
    string? Fingerprint,
    string? KeyType,
    string? Address,
    string? User,
    string? Reason);

/// <summary>One SSH session of a node (R-SSH-10).</summary>
public sealed record SshSessionView(
    int Node,
    string? User,
    string? Fingerprint,
    string? Address,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? Command);

public sealed record JobSshView(
    long JobId,
    int Attempt,
    string? RequestedBy,
    IReadOnlyList<SshNodeView>? Nodes,
    IReadOnlyList<SshKeyEventView>? KeyEvents,
    IReadOnlyList<SshSessionView>? Sessions);
