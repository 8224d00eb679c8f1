using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Runners;
using Porthole.Data;

namespace Porthole.Server.JobData;

/// <summary>
/// The job-data half of the runner protocol, as <see cref="Runners.RunnerService"/> hands it on: blobs, caches, workspace
/// layers, artifacts, session recordings and test results, and who may read a blob back.
/// </summary>
public sealed class JobDataStore(
    IDbContextFactory<PortholeDb> dbFactory,
    BlobStore blobs,
    CacheStore caches,
    WorkspaceLayers workspaces,
    Artifacts artifacts,
    Recordings recordings,
    TestResults tests,
    IOptions<JobDataOptions> options)
{
    public BlobStore Blobs => blobs;

    public CacheStore Caches => caches;

    public WorkspaceLayers Workspaces => workspaces;

    public Artifacts Artifacts => artifacts;

    public Recordings Recordings => recordings;

    public TestResults Tests => tests;

    /// <summary>What a lease tells the runner of the cap on a project's caches.</summary>
    public long CacheCapBytes => options.Value.CacheCapBytes;

    /// <summary>
    /// A blob the node may read: a cache of its project, a layer of its workflow's workspace, or one it uploaded itself;
    /// null for any other, and for a node without its lease.
    /// </summary>
    public async Task<BlobDownload?> DownloadAsync(long nodeId, string digest, long offset, CancellationToken ct)
    {
        if (!BlobFiles.IsDigest(digest) || offset < 0)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var node = await LeasedNode.FindAsync(db, nodeId, ct);
        if (node is null)
        {
            return null;
        }

        var readable = await db.Caches.AnyAsync(c => c.ProjectId == node.ProjectId && c.Digest == digest, ct)
            || await db.WorkspaceLayers.AnyAsync(l => l.WorkflowId == node.WorkflowId && l.Digest == digest, ct)
            || await db.NodeBlobs.AnyAsync(u => u.NodeId == nodeId && u.Digest == digest, ct);
        return readable ? await blobs.OpenAsync(db, digest, offset, ct) : null;
    }
}
