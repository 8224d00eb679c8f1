namespace Porthole.Contracts.Runners;

/// <summary>
/// The runner protocol over HTTP (issue 14): <see cref="IRunnerProtocol"/>'s calls as routes below <c>/api/runner</c>.
/// Every call carries the runner token (<c>Authorization: Bearer prt_…</c>); every call about a node also carries the
/// lease token the lease handed out (<see cref="LeaseHeader"/>): one that is not the node's current lease (the node
/// ended, was given up and retried, or the token is forged) is refused with 409, a node another runner holds with 403.
/// Bodies are JSON in <see cref="Plans.PlanJson"/>'s form, except log chunks and blob bytes (octet streams).
/// </summary>
public static class RunnerHttp
{
    public const string Prefix = "/api/runner";

    /// <summary>The lease token of the node the call is about.</summary>
    public const string LeaseHeader = "Porthole-Lease";

    /// <summary>A downloaded blob's whole size (the body holds it from the offset asked for).</summary>
    public const string BlobSizeHeader = "Porthole-Blob-Size";

    /// <summary>The most one log chunk may carry.</summary>
    public const int MaxLogChunk = 1024 * 1024;

    /// <summary>The most one blob upload call may carry (the runner sends 32 MiB windows).</summary>
    public const long MaxBlobChunk = 33L * 1024 * 1024;

    /// <summary>How long the server holds a lease request open when nothing is queued; the client waits longer.</summary>
    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(20);

    public const string Register = Prefix + "/register";
    public const string Lease = Prefix + "/lease";

    /// <summary>A lease that waits at most <paramref name="seconds"/> (0 to 20) for a node.</summary>
    public static string LeaseWaiting(double seconds) => Lease + "?wait=" + seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Node(long nodeId) => $"{Prefix}/nodes/{nodeId}";
    public static string Heartbeat(long nodeId) => Node(nodeId) + "/heartbeat";
    public static string Log(long nodeId, long offset) => Node(nodeId) + $"/log?offset={offset}";
    public static string Step(long nodeId) => Node(nodeId) + "/steps";
    public static string Complete(long nodeId) => Node(nodeId) + "/complete";
    public static string SshEndpoint(long nodeId) => Node(nodeId) + "/ssh/endpoint";
    public static string SshEvent(long nodeId) => Node(nodeId) + "/ssh/events";
    public static string Hold(long nodeId) => Node(nodeId) + "/hold";
    public static string SshWindow(long nodeId) => Node(nodeId) + "/ssh/window";
    public static string Blob(long nodeId, string digest) => Node(nodeId) + $"/blobs/{digest}";
    public static string BlobUpload(long nodeId, string digest, long size, long offset) => Blob(nodeId, digest) + $"?size={size}&offset={offset}";
    public static string BlobDownload(long nodeId, string digest, long offset) => Blob(nodeId, digest) + $"?offset={offset}";
    public static string FindCache(long nodeId) => Node(nodeId) + "/caches/find";
    public static string SaveCache(long nodeId) => Node(nodeId) + "/caches";
    public static string Workspace(long nodeId) => Node(nodeId) + "/workspace";
    public static string Artifacts(long nodeId) => Node(nodeId) + "/artifacts";
    public static string Recordings(long nodeId) => Node(nodeId) + "/recordings";
    public static string TestResults(long nodeId) => Node(nodeId) + "/test-results";
    public static string TestTimings(long nodeId) => Node(nodeId) + "/test-timings";
    public static string Siblings(long nodeId) => Node(nodeId) + "/siblings";
}

/// <summary>
/// What a remote runner says about itself when it starts (<c>POST /api/runner/register</c>). <see cref="Name"/>: null
/// takes the runner token's name. <see cref="Labels"/>: what it was given (the kinds a Linux runner runs are added).
/// <see cref="Address"/>: the host its nodes' SSH endpoints are advertised on.
/// </summary>
public sealed record RunnerRegisterRequest(string? Name, string Version, IReadOnlyList<string> Labels, int Capacity, string Address);

/// <summary>The server's answer to a registration: the name the runner is known by and its effective labels.</summary>
public sealed record RunnerRegisterReply(long RunnerId, string Name, IReadOnlyList<string> Labels, string ServerVersion, TimeSpan LeaseDuration);
