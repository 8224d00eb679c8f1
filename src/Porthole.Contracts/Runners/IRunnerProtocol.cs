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
/// <item>Job data (caches, workspaces, artifacts, test results): bytes travel as blobs named by their SHA-256 (lowercase
/// hex). <see cref="UploadBlobAsync"/> stores bytes at an offset as the log does (bytes already stored are a no-op, a gap is
/// refused), checks the declared size, and once every byte is there checks the digest and keeps the blob; a blob already
/// kept answers complete at once. A blob is then named by a record (<see cref="SaveCacheAsync"/>,
/// <see cref="PersistWorkspaceAsync"/>, <see cref="StoreArtifactAsync"/>). <see cref="DownloadBlobAsync"/> gives back a blob
/// the node may read (its project's caches, its workflow's workspace layers) from an offset. Every call needs the node's
/// lease (the node running); a call for a node that is not is refused (<see cref="BlobUploadOutcome.Refused"/>, null).</item>
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

    /// <summary>
    /// A step of a node asked for with <see cref="SshRequest.HoldOnFailure"/> failed and the node is held for SSH (R-BEY-1):
    /// the node keeps its lease, but its result is <paramref name="held"/> from now on (its job fails now, its dependents
    /// are not run), and its <see cref="CompleteNodeAsync"/> later keeps it.
    /// </summary>
    Task HoldNodeAsync(long nodeId, NodeCompletion held, CancellationToken cancellationToken);

    /// <summary>When the node's SSH wait ends now (R-BEY-4): after a first connection, an extension, the last session's close.</summary>
    Task ReportSshWindowAsync(long nodeId, SshWindow window, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="content"/> at <paramref name="offset"/> of the blob <paramref name="digest"/> of <paramref name="size"/> bytes.</summary>
    Task<BlobUploadResult> UploadBlobAsync(long nodeId, string digest, long size, long offset, Stream content, CancellationToken cancellationToken);

    /// <summary>A blob the node may read, from <paramref name="offset"/>; null when there is none it may read (or no lease).</summary>
    Task<BlobDownload?> DownloadBlobAsync(long nodeId, string digest, long offset, CancellationToken cancellationToken);

    /// <summary>The cache the node's project has for the first of the keys that matches (CircleCI's rules), or null.</summary>
    Task<CacheHit?> FindCacheAsync(long nodeId, CacheQuery query, CancellationToken cancellationToken);

    /// <summary>Names an uploaded blob as a cache of the node's project: saved, already there (the first writer won), or refused.</summary>
    Task<CacheSaveResult> SaveCacheAsync(long nodeId, CacheEntry entry, CancellationToken cancellationToken);

    /// <summary>Adds an uploaded blob (a tar of paths relative to the workspace root) as a layer of the node's workflow's workspace.</summary>
    Task PersistWorkspaceAsync(long nodeId, WorkspaceLayer layer, CancellationToken cancellationToken);

    /// <summary>The layers the node's job's transitive requires persisted, in workflow order, or the conflict that refuses them.</summary>
    Task<WorkspaceAttach> AttachWorkspaceAsync(long nodeId, CancellationToken cancellationToken);

    /// <summary>Names an uploaded blob as one artifact file of the node.</summary>
    Task StoreArtifactAsync(long nodeId, ArtifactFile artifact, CancellationToken cancellationToken);

    /// <summary>Names an uploaded blob (an asciicast v2 file, masked) as the recording of one SSH or debug session of the node (R-BEY-2).</summary>
    Task StoreRecordingAsync(long nodeId, SessionRecordingFile recording, CancellationToken cancellationToken);

    /// <summary>Records test cases read from the node's JUnit XML.</summary>
    Task StoreTestResultsAsync(long nodeId, IReadOnlyList<TestCaseResult> cases, CancellationToken cancellationToken);

    /// <summary>The timings of the latest results of the node's job (by name, in its project) for <c>circleci tests split --split-by=timings</c>.</summary>
    Task<IReadOnlyList<TestTiming>> TestTimingsAsync(long nodeId, CancellationToken cancellationToken);

    /// <summary>The other nodes of the node's attempt, for a <c>deploy</c> step that runs once all of them are done.</summary>
    Task<SiblingNodes> SiblingNodesAsync(long nodeId, CancellationToken cancellationToken);
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
    bool OpenAccess = false)
{
    /// <summary>A writer asked to extend the node's SSH wait by this much (R-BEY-4): the node takes it, up to its cap, and reports its window.</summary>
    public TimeSpan? Extend { get; init; }

    /// <summary>A writer asked to end the node now (<c>release</c>, R-BEY-4).</summary>
    public bool Release { get; init; }
    /// <summary>The project's <c>ssh_port_forwarding</c> now (<see cref="SshRequest.PortForwarding"/>), with <see cref="SshKeys"/>.</summary>
    public bool PortForwarding { get; init; }
}

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
