namespace Porthole.Contracts.Runners;

public enum BlobUploadOutcome
{
    /// <summary>The bytes are stored; more are expected (<see cref="BlobUploadResult.StoredLength"/> &lt; size).</summary>
    Partial,

    /// <summary>Every byte is stored and the digest checked: the blob can be named by a record.</summary>
    Complete,

    /// <summary>The offset is past the bytes stored: send from <see cref="BlobUploadResult.StoredLength"/>.</summary>
    Gap,

    /// <summary>Not stored, for <see cref="BlobUploadResult.Problem"/> (over the cap, a digest that does not match, the server's disk full, no lease); nothing of it is kept.</summary>
    Refused,
}

/// <summary>The outcome of an upload and the blob's stored length after it.</summary>
public sealed record BlobUploadResult(BlobUploadOutcome Outcome, long StoredLength, string? Problem = null);

/// <summary>A blob's bytes from the offset asked for; <see cref="Size"/> is the whole blob's. The caller disposes <see cref="Content"/>.</summary>
public sealed record BlobDownload(long Size, Stream Content);

/// <summary>Cache keys as rendered on the node, tried in order; <see cref="Exact"/>: each matches only itself, else as a prefix.</summary>
public sealed record CacheQuery(IReadOnlyList<string> Keys, bool Exact = false);

/// <summary>A stored cache: its full key, its archive (a zstd-compressed tar), and when it was saved.</summary>
public sealed record CacheHit(string Key, string Digest, long Size, DateTimeOffset SavedAt)
{
    /// <summary>The absolute paths the cache was saved from: its archive holds nothing outside them.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];
}

/// <summary>A cache to record under <see cref="Key"/>; <see cref="Replace"/> (Travis) replaces one already there.</summary>
public sealed record CacheEntry(string Key, string Digest, long Size, bool Replace = false)
{
    /// <summary>The absolute paths the archive was made from (stored with it; a restore refuses an entry outside them).</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];
}

public enum CacheSaveOutcome
{
    Saved,

    /// <summary>The key is taken (CircleCI's caches are immutable: the first writer wins); nothing changed.</summary>
    Exists,

    /// <summary>Refused for <see cref="CacheSaveResult.Message"/> (the project's cap, a blob not uploaded).</summary>
    Refused,
}

public sealed record CacheSaveResult(CacheSaveOutcome Outcome, string? Message = null);

/// <summary>
/// A workspace layer: a zstd-compressed tar whose entries are relative to the persisting step's root, and the
/// relative paths of the files (not folders) in it, for the conflicts between concurrent jobs.
/// </summary>
public sealed record WorkspaceLayer(string Digest, long Size, IReadOnlyList<string> Paths);

/// <summary>One layer to apply, and the job that persisted it.</summary>
public sealed record WorkspaceLayerRef(string JobName, string Digest, long Size);

/// <summary>The layers to apply in order; or <see cref="Conflict"/>, the error that refuses them (a path two concurrent jobs persisted, naming both).</summary>
public sealed record WorkspaceAttach(IReadOnlyList<WorkspaceLayerRef> Layers, string? Conflict = null);

/// <summary>One artifact file: its path as listed (destination prefix and path below it, '/'-separated, relative), its blob (raw bytes, not compressed).</summary>
public sealed record ArtifactFile(string Path, string Digest, long Size);

/// <summary>
/// The recording of one interactive SSH or debug session of a node (R-BEY-2): its blob, an asciicast v2 file with the job's
/// secrets masked; who opened the session (the key's owner as the node's grants name it, and the key's fingerprint), how
/// (<see cref="Ssh.SshVia"/>), when it started and ended, and whether the node cut it at its size cap.
/// </summary>
/// <param name="Seconds">The recording's length: the time of its last event.</param>
public sealed record SessionRecordingFile(
    string Digest,
    long Size,
    string UserName,
    string Fingerprint,
    string Via,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    double Seconds,
    bool Truncated)
{
    /// <summary>The most of one session's output and input a node records; past it the recording is cut (<see cref="Truncated"/>).</summary>
    public const long MaxSessionBytes = 16L << 20;
}

public enum TestOutcome
{
    Passed,
    Failed,
    Error,
    Skipped,
}

/// <summary>
/// One test case of a JUnit XML report. <see cref="File"/> is the file the report names (a <c>file</c> attribute), null
/// when none; <see cref="Message"/> the failure's or error's message (its first 1000 characters), <see cref="Details"/>
/// its text (at most 64 KB), both masked.
/// </summary>
public sealed record TestCaseResult(
    string? Suite,
    string ClassName,
    string Name,
    string? File,
    TestOutcome Outcome,
    double? Seconds,
    string? Message,
    string? Details)
{
    /// <summary>The report file the case came from, relative to the step's path.</summary>
    public string? Source { get; init; }
}

/// <summary>How long one test case took the last time its job recorded results.</summary>
public sealed record TestTiming(string? File, string ClassName, string Name, double Seconds);
