namespace Porthole.Contracts.Api;

// Wire shapes of keys and SSH reruns (R-KEY-*, R-SSH-*). JSON is snake_case (ApiJson).

public sealed record AddKeyRequest(string? PublicKey, string? Title);

public sealed record SshKeyView(string Fingerprint, string Type, string? Comment, int? Bits, string? Title, DateTimeOffset CreatedAt);

/// <summary>Import the public keys a code host lists for an account: <c>github:USER</c>, <c>gitlab:USER</c> or <c>bitbucket:USER</c>.</summary>
public sealed record ImportKeysRequest(string? Source);

public sealed record ImportKeysResult(IReadOnlyList<SshKeyView> Added, IReadOnlyList<SkippedKey> Skipped);

public sealed record SkippedKey(string? Fingerprint, string Line, string Reason);

/// <summary>
/// Changes to a project's settings; a null leaves one as it is. <see cref="DebugOpenAccess"/> is R-DBG-7's opt-in;
/// <see cref="RetryLostNodes"/> retries once, on another runner, a node whose runner was lost (issue 14);
/// <see cref="SshPortForwarding"/> lets an SSH node's writers forward local ports to the node (R-BEY-5);
/// <see cref="SessionRecording"/> records the interactive sessions of the project's nodes (R-BEY-2).
/// </summary>
public sealed record ProjectSettingsRequest(bool? DebugEnabled, bool? SshWriteMembers, bool? DebugOpenAccess = null, bool? RetryLostNodes = null)
{
    public bool? SshPortForwarding { get; init; }

    /// <summary><c>hold_on_failure</c> (R-BEY-1): one of <see cref="HoldOnFailureModes"/>.</summary>
    public string? HoldOnFailure { get; init; }

    /// <summary><c>session_recording</c> (R-BEY-2).</summary>
    public bool? SessionRecording { get; init; }
}

/// <summary>
/// A project's <c>hold_on_failure</c> (R-BEY-1): whether a node whose step failed is held for SSH, and who may enter it.
/// </summary>
public static class HoldOnFailureModes
{
    /// <summary>Not held, unless the pipeline was triggered with <c>hold_on_failure</c>.</summary>
    public const string Off = "off";

    /// <summary>Held; entered by whom an SSH rerun lets in: the triggerer, and the write members when <c>ssh_write_members</c> is on.</summary>
    public const string Ssh = "ssh";

    /// <summary>Held; every member with write access may enter.</summary>
    public const string Write = "write";

    public static readonly IReadOnlyList<string> All = [Off, Ssh, Write];
}

/// <summary>
/// Where one node of an SSH attempt can be entered; host and port are null until its sshd is up.
/// <see cref="OpenAccessCommand"/>: in a debug run of a project with <c>debug_open_access</c>, the command with which
/// anyone gets in (it carries the session's token); shown to the project's writers only.
/// </summary>
public sealed record SshNodeView(
    int Index,
    string Status,
    string? Host,
    int? Port,
    string? User,
    string? HostKey,
    string? HostKeyFingerprint,
    IReadOnlyList<string> AcceptedFingerprints,
    string? Command,
    string? OpenAccessCommand = null)
{
    /// <summary>When a step failed and the node was held for SSH (R-BEY-1); null for an SSH rerun's or a debug run's node.</summary>
    public DateTimeOffset? HeldAt { get; init; }

    /// <summary>When the node's SSH wait ends unless extended or entered (R-BEY-4); null when it does not wait.</summary>
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>What ends it then: <c>first_connection</c>, <c>session_cap</c> or <c>grace</c> (<see cref="Ssh.SshWindowEnd"/>).</summary>
    public string? EndsBy { get; init; }
    /// <summary>The job's working directory on the node, where a session starts: the folder an IDE opens (R-BEY-5).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// The node as a <c>Host</c> block of <c>~/.ssh/config</c> (R-BEY-5), its host key checked against
    /// <see cref="KnownHostsLine"/> in <c>~/.ssh/porthole_known_hosts</c>; <c>porthole ssh JOB --config</c> prints one with
    /// the local key and writes the line itself. Null until the node's sshd is up.
    /// </summary>
    public string? SshConfig { get; init; }

    /// <summary>The known_hosts line that pins the node's host key under the block's <c>HostKeyAlias</c>.</summary>
    public string? KnownHostsLine { get; init; }

    /// <summary>VS Code's link that opens <see cref="WorkingDirectory"/> over Remote-SSH through the Host block.</summary>
    public string? VsCodeLink { get; init; }
}

/// <summary>One key offered to a node's sshd: accepted, or refused with the reason (R-SSH-4).</summary>
public sealed record SshKeyEventView(
    DateTimeOffset At,
    int Node,
    bool Accepted,
    string? Fingerprint,
    string? KeyType,
    string Address,
    string? User,
    string? Reason);

/// <summary>
/// One SSH session of a node (R-SSH-10). <see cref="Id"/> names it for <c>POST /api/jobs/{id}/ssh/sessions/{session}/end</c>;
/// <see cref="Via"/> is <c>ssh</c> or <c>web</c> (the browser terminal); <see cref="ReadOnly"/> a session that can only
/// watch; <see cref="EndedBy"/> the admin who ended it, if one did (R-DBG-7).
/// </summary>
public sealed record SshSessionView(
    int Node,
    string? User,
    string? Fingerprint,
    string Address,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? Command,
    long Id = 0,
    string Via = "ssh",
    bool ReadOnly = false,
    string? EndedBy = null);

public sealed record JobSshView(
    long JobId,
    int Attempt,
    string RequestedBy,
    IReadOnlyList<SshNodeView> Nodes,
    IReadOnlyList<SshKeyEventView> KeyEvents,
    IReadOnlyList<SshSessionView> Sessions,
    bool Debug = false,
    bool Quiet = false);

/// <summary>CircleCI's <c>POST /api/v2/workflow/{id}/rerun</c> body.</summary>
public sealed record CircleRerunRequest(IReadOnlyList<string>? Jobs, bool? EnableSsh, bool? FromFailed, bool? SparseTree);

public sealed record CircleRerunResponse(string WorkflowId);

/// <summary>Restart a job in debug mode; <see cref="Quiet"/> keeps the session out of the log.</summary>
public sealed record DebugJobRequest(bool? Quiet)
{
    /// <summary>Run the steps before this one (its index from 0, or its name) first, then start the session there (R-BEY-4); Travis's debug mode is the first phase.</summary>
    public string? FromStep { get; init; }
}

/// <summary>Extend a node's SSH wait (R-BEY-4): <see cref="Duration"/> such as <c>30m</c>, <c>1h</c>, <c>1h30m</c> (30m when left out).</summary>
public sealed record ExtendRequest(string? Duration);
