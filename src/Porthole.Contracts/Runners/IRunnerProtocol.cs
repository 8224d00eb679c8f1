using Porthole.Contracts.Ssh;

namespace Porthole.Contracts.Runners;

/// <summary>
/// The one conversation between a runner and the server. The built-in runner speaks it in-process;
/// a remote runner speaks the same over HTTP. Semantics:
/// <list type="bullet">
/// <item><see cref="LeaseAsync"/> hands out a queued node atomically: no node is leased twice. Null when nothing is queued.</item>
/// <item><see cref="HeartbeatAsync"/> extends the lease; its reply says when the node was canceled.</item>
/// <item><see cref="AppendLogAsync"/> stores bytes at a byte offset of the node's log: bytes already stored are a no-op,
/// an offset past the end (a gap) is refused.</item>
/// <item><see cref="ReportStepAsync"/> records a step starting or ending; <see cref="CompleteNodeAsync"/> the node's end.</item>
/// <item><see cref="ReportSshEndpointAsync"/> and <see cref="ReportSshEventAsync"/> tell where a node's sshd listens and every
/// key offered and session opened or closed there; the heartbeat's reply carries the keys accepted now, so a revoked key is
/// dropped within a heartbeat, whether a debug run's open access still is, and the connections an admin ended, until the
/// node reports their sessions ended. A node reports its endpoint again when the keys it accepts changed.</item>
/// </list>
/// </summary>
public interface IRunnerProtocol
{
    Task<NodeAssignment?> LeaseAsync(string runnerName, CancellationToken cancellationToken);

    Task<HeartbeatReply> HeartbeatAsync(long nodeId, CancellationToken cancellationToken);

    Task<LogAppendResult> AppendLogAsync(long nodeId, long offset, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken);

    Task ReportStepAsync(long nodeId, StepReport report, CancellationToken cancellationToken);

    Task CompleteNodeAsync(long nodeId, NodeCompletion completion, CancellationToken cancellationToken);

    Task ReportSshEndpointAsync(long nodeId, SshEndpointInfo endpoint, CancellationToken cancellationToken);

    Task ReportSshEventAsync(long nodeId, SshEvent sshEvent, CancellationToken cancellationToken);
}

/// <summary>
/// The server's answer to a heartbeat: whether the node was canceled, and for an SSH node the keys accepted now, the
/// connections to close because an admin ended their session (R-DBG-7; a connection no longer open is ignored), and
/// <see cref="OpenAccess"/>: whether a debug run open to anyone with its ssh command still is (its project's
/// <c>debug_open_access</c> and <c>debug_enabled</c> on, the run not canceled). Once false, the node ends open access for
/// the rest of the run, as it ends a revoked key: the token is refused and the sessions it let in are closed.
/// </summary>
public sealed record HeartbeatReply(
    bool Canceled,
    IReadOnlyList<SshGrant>? SshKeys = null,
    IReadOnlyList<SshConnectionRef>? EndSessions = null,
    bool OpenAccess = false);

public enum LogAppendOutcome
{
    Appended,
    AlreadyStored,
    Gap,
}

/// <summary>The outcome of an append and the node log's stored length after it.</summary>
public sealed record LogAppendResult(LogAppendOutcome Outcome, long StoredLength);

public enum StepState
{
    Running,
    Success,
    Failed,
    Skipped,
    Canceled,
    TimedOut,
}

/// <summary>
/// A step's state at one moment. <see cref="LogStart"/>..<see cref="LogEnd"/> is the step's byte range
/// in the node log (end is null while the step runs).
/// </summary>
public sealed record StepReport(
    int Index,
    string Name,
    StepState State,
    int? ExitCode,
    long LogStart,
    long? LogEnd,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    bool Background = false);

public enum NodeResult
{
    Success,
    Failed,
    Canceled,
    TimedOut,
    InfrastructureFail,
}

public sealed record NodeCompletion(NodeResult Result, string? Message);
