namespace Porthole.Contracts.Ssh;

/// <summary>
/// A key that may open a session on a node, with the user it belongs to. <see cref="PublicKey"/> is <c>type base64</c>.
/// A <see cref="ReadOnly"/> key may only watch a debug run's shared session (R-DBG-7): it sees, it cannot type, and it
/// opens nothing else (no shell, command or file transfer); on a node that is not a debug run it is refused.
/// A <see cref="Web"/> key is the server's own, made for one browser terminal of the user (R-WEB-2): its sessions are
/// audited as coming <see cref="SshVia.Web"/>.
/// </summary>
public sealed record SshGrant(long UserId, string UserName, string Fingerprint, string PublicKey, bool ReadOnly = false, bool Web = false);

/// <summary>How a session came in: a user's own ssh client, or the browser terminal of the job's page.</summary>
public static class SshVia
{
    public const string Ssh = "ssh";

    public const string Web = "web";
}

/// <summary>One connection to a node's sshd, named as the node's events name it: the client's address and port.</summary>
public sealed record SshConnectionRef(string Address, int Port);

/// <summary>
/// What a node that was asked for with SSH needs: who asked, the keys accepted now, and the Wait for SSH rules
/// (R-SSH-8): how long to wait for a first connection, and how long the node may stay after the first connection.
/// <see cref="HoldOnFailure"/> (R-BEY-1): the node runs as usual and opens SSH only when a step fails, in place of
/// the rest of the steps; <see cref="RequestedBy"/> is then the pipeline's triggerer (or who reran the job).
/// The session's lifecycle (R-BEY-4): <see cref="GracePeriod"/> after the last session closes before the node ends (zero:
/// at once, CircleCI's rule), and <see cref="ExtendCap"/>, the most the node may stay after the first connection with every
/// <c>porthole-extend</c> counted.
/// </summary>
public sealed record SshRequest(
    string RequestedBy,
    IReadOnlyList<SshGrant> Keys,
    TimeSpan FirstConnectionTimeout,
    TimeSpan MaxSessionTime)
{
    /// <summary>
    /// The project's <c>ssh_port_forwarding</c> (R-BEY-5): the keys that may type may open local port forwards
    /// (<c>ssh -L</c>, an IDE's tunnel) to the node's own addresses, nowhere else. Heartbeats carry it on
    /// (<see cref="Runners.HeartbeatReply.PortForwarding"/>).
    /// </summary>
    public bool PortForwarding { get; init; }

    public bool HoldOnFailure { get; init; }

    /// <summary>
    /// The project's <c>session_recording</c> (R-BEY-2, on by default): every interactive session of the node is recorded
    /// (asciicast v2, masked) and uploaded with the job's data (<see cref="Runners.IRunnerProtocol.StoreRecordingAsync"/>).
    /// </summary>
    public bool Record { get; init; }

    public TimeSpan GracePeriod { get; init; }

    public TimeSpan ExtendCap { get; init; }
}

/// <summary>
/// When a node's SSH wait ends (R-BEY-4), as the node reports it whenever it changes: <see cref="EndsAt"/>, and what ends
/// it then (<see cref="SshWindowEnd"/>); <see cref="EndsAt"/> null when the wait is over.
/// </summary>
public sealed record SshWindow(DateTimeOffset? EndsAt, string? EndsBy);

/// <summary>What ends a node's SSH wait at <see cref="SshWindow.EndsAt"/>.</summary>
public static class SshWindowEnd
{
    /// <summary>Nobody connected yet: the first connection's timeout.</summary>
    public const string FirstConnection = "first_connection";

    /// <summary>The session time since the first connection, as extended.</summary>
    public const string SessionCap = "session_cap";

    /// <summary>The last session closed: the grace period for the next connection.</summary>
    public const string Grace = "grace";
}

/// <summary>Where a node's sshd listens and how to check it is the right one (R-SSH-3).</summary>
public sealed record SshEndpointInfo(
    string Host,
    int Port,
    string User,
    string HostKey,
    string HostKeyFingerprint,
    IReadOnlyList<string> AcceptedFingerprints)
{
    /// <summary>The job's working directory as the node has it, where every session starts (VS Code opens it, R-BEY-5).</summary>
    public string? WorkingDirectory { get; init; }
}

public enum SshEventKind
{
    /// <summary>An offered key was accepted (sshd's "Accepted publickey").</summary>
    KeyAccepted,

    /// <summary>An offered key was refused (sshd's "Failed publickey"); the server works out why.</summary>
    KeyRefused,

    SessionStarted,

    SessionEnded,
}

/// <summary>
/// One thing that happened at a node's sshd: a key offered, or a session starting or ending. A connection is
/// named by the client's <see cref="Address"/> and <see cref="Port"/>; <see cref="Command"/> is what the user
/// asked to run (empty for a login shell). A session's <see cref="Via"/> (<see cref="SshVia"/>) says whether it came
/// from an ssh client or the browser terminal, and <see cref="ReadOnly"/> whether it can only watch.
/// </summary>
public sealed record SshEvent(
    SshEventKind Kind,
    DateTimeOffset At,
    string Address,
    int Port,
    string? Fingerprint = null,
    string? KeyType = null,
    string? UserName = null,
    string? Command = null,
    string? Via = null,
    bool ReadOnly = false);

/// <summary>
/// A debug run (R-DBG-*): the node sets up, then instead of running its steps hands every SSH connection the same
/// tmux session, with one shell function per step. <see cref="Quiet"/> keeps the session out of the log;
/// <see cref="Timeout"/> is how long the session may live (30 minutes by default). <see cref="OpenAccessToken"/> is set
/// when the project lets in anyone with the session's ssh command (R-DBG-7's opt-in, <c>debug_open_access</c>): any key
/// is then accepted, and the connection must send this token (<c>ssh -o SetEnv=PORTHOLE_DEBUG_TOKEN=…</c>). It is a
/// secret: it is never written to the job's log.
/// </summary>
public sealed record DebugRequest(string RequestedBy, bool Quiet, TimeSpan Timeout, string? OpenAccessToken = null)
{
    /// <summary>The variable an open-access connection sends its token in (sshd's <c>AcceptEnv</c>).</summary>
    public const string TokenVariable = "PORTHOLE_DEBUG_TOKEN";

    /// <summary>The user name that open-access sessions are recorded under: no account can be named so.</summary>
    public const string OpenAccessUser = "+anyone";

    /// <summary>The ssh command that lets anyone in, with the token: for the requester and the project's writers only.</summary>
    public static string OpenAccessCommand(string token, int port, string user, string host) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ssh -t -o SetEnv={TokenVariable}={token} -p {port} {user}@{host}");

    /// <summary>
    /// A breakpoint (R-BEY-4): the steps before this index (of the plan's steps, from 0) run as usual, then the node stops
    /// there in the shared session; <c>porthole-continue</c> runs the rest unattended. Null: the session comes before the
    /// first step, as Travis's debug mode does.
    /// </summary>
    public int? BreakBefore { get; init; }

    /// <summary>A breakpoint at the first failure (R-BEY-4): the steps run as usual until one fails, then the node stops there.</summary>
    public bool BreakOnFailure { get; init; }

    /// <summary>Whether the steps run first: a breakpoint before a step, or at the first failure.</summary>
    public bool HasBreakpoint => BreakBefore is not null || BreakOnFailure;

    /// <summary>The record without its secret, for anything that prints or logs it.</summary>
    public override string ToString() =>
        $"DebugRequest {{ RequestedBy = {RequestedBy}, Quiet = {Quiet}, Timeout = {Timeout}, OpenAccess = {OpenAccessToken is not null}, BreakBefore = {BreakBefore}, BreakOnFailure = {BreakOnFailure} }}";
}
