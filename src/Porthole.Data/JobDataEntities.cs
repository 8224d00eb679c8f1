namespace Porthole.Data;

/// <summary>
/// A blob kept under <c>DATA/blobs</c>, named by the SHA-256 of its bytes (lowercase hex). Kept while a record (a cache,
/// a workspace layer, an artifact, a session recording) or a running node's upload names it; the sweeper deletes it after.
/// </summary>
public sealed class BlobRecord
{
    public required string Digest { get; set; }
    public long Size { get; set; }

    /// <summary>When the blob was last completed or found already there by an upload.</summary>
    public DateTimeOffset StoredAt { get; set; }
}

/// <summary>A blob a node uploaded (or found already kept): the node may name it by a record and read it back while it runs.</summary>
public sealed class NodeBlobRecord
{
    public long NodeId { get; set; }
    public required string Digest { get; set; }

    /// <summary>A record names the blob since this upload: the upload no longer keeps it (the records do, or eviction frees it).</summary>
    public bool Named { get; set; }
}

/// <summary>
/// A cache of a project (one namespace per project, shared by its branches, as CircleCI's): a key, unique in the project,
/// naming a blob (a zstd-compressed tar).
/// </summary>
public sealed class CacheRecord
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public required string Key { get; set; }
    public required string Digest { get; set; }
    public long Size { get; set; }

    /// <summary>The absolute paths the archive was made from, as a JSON array of strings (a restore puts nothing outside them).</summary>
    public string Paths { get; set; } = "[]";

    /// <summary>The node that saved it.</summary>
    public long NodeId { get; set; }
    public DateTimeOffset SavedAt { get; set; }

    /// <summary>When a restore last matched it (its save at first): the project's least recently used go first over the cap.</summary>
    public DateTimeOffset LastUsedAt { get; set; }
}

/// <summary>A layer of a workflow's workspace: a blob (a zstd-compressed tar) that one node of one attempt of a job persisted.</summary>
public sealed class WorkspaceLayerRecord
{
    public long Id { get; set; }
    public long WorkflowId { get; set; }
    public long JobId { get; set; }
    public long AttemptId { get; set; }
    public int Attempt { get; set; }
    public long NodeId { get; set; }
    public int NodeIndex { get; set; }
    public required string Digest { get; set; }
    public long Size { get; set; }

    /// <summary>The relative paths of the files in the layer, as a JSON array of strings.</summary>
    public required string Paths { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One artifact file of a node: its path as listed (relative, '/'-separated, unique in the node) and its blob (raw bytes).</summary>
public sealed class ArtifactRecord
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public long AttemptId { get; set; }
    public int Attempt { get; set; }
    public long NodeId { get; set; }
    public int NodeIndex { get; set; }
    public required string Path { get; set; }
    public required string Digest { get; set; }
    public long Size { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// The recording of one interactive SSH or debug session of a node (R-BEY-2): its blob (an asciicast v2 file, the job's
/// secrets masked), who opened the session and how, when, and whether the node cut it at its cap. Kept as the job's log is.
/// </summary>
public sealed class SessionRecordingRecord
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public long AttemptId { get; set; }
    public int Attempt { get; set; }
    public long NodeId { get; set; }
    public int NodeIndex { get; set; }
    public required string Digest { get; set; }
    public long Size { get; set; }

    /// <summary>The key's owner, as the node's grants name it.</summary>
    public required string UserName { get; set; }

    /// <summary>The key's fingerprint (<c>SHA256:…</c>).</summary>
    public required string Fingerprint { get; set; }

    /// <summary><c>ssh</c> or <c>web</c> (the browser's terminal).</summary>
    public required string Via { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset EndedAt { get; set; }

    /// <summary>The recording's length: the time of its last event.</summary>
    public double Seconds { get; set; }
    public bool Truncated { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One test case a node read from a JUnit XML report.</summary>
public sealed class TestCaseRecord
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public long AttemptId { get; set; }
    public int Attempt { get; set; }
    public long NodeId { get; set; }
    public int NodeIndex { get; set; }
    public string? Suite { get; set; }
    public required string ClassName { get; set; }
    public required string Name { get; set; }
    public string? File { get; set; }

    /// <summary>CircleCI v2's words: <c>success</c>, <c>failure</c>, <c>error</c>, <c>skipped</c>.</summary>
    public required string Result { get; set; }

    /// <summary>The order the API lists results in: 0 failure or error, 1 skipped, 2 success.</summary>
    public int Rank { get; set; }
    public double? Seconds { get; set; }
    public string? Message { get; set; }
    public string? Details { get; set; }
    public string? Source { get; set; }
}
