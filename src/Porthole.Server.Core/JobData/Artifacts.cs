using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Runners;
using Porthole.Data;

namespace Porthole.Server.JobData;

/// <summary>
/// A node's artifacts: each file a path (unique in the node: stored again, the later one replaces it) naming an
/// uploaded blob of its raw bytes.
/// </summary>
public sealed class Artifacts(IDbContextFactory<PortholeDb> dbFactory, BlobStore blobs, TimeProvider time)
{
    public async Task StoreAsync(long nodeId, ArtifactFile artifact, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var node = await LeasedNode.FindAsync(db, nodeId, ct) ?? throw new InvalidOperationException(LeasedNode.NoLease(nodeId));
        if (StoredPath.Problem(artifact.Path) is { } problem)
        {
            throw new InvalidOperationException($"The artifact cannot be stored: {problem}.");
        }

        if (await BlobStore.UnnameableAsync(db, nodeId, artifact.Digest, artifact.Size, ct) is { } unnameable)
        {
            throw new InvalidOperationException($"The artifact '{Api.MessageText.Shorten(artifact.Path)}' cannot be stored: {unnameable}.");
        }

        var record = await db.Artifacts.SingleOrDefaultAsync(a => a.NodeId == nodeId && a.Path == artifact.Path, ct);
        var replaced = record?.Digest;
        if (record is null)
        {
            record = new ArtifactRecord
            {
                JobId = node.JobId,
                AttemptId = node.AttemptId,
                Attempt = node.Attempt,
                NodeId = node.NodeId,
                NodeIndex = node.NodeIndex,
                Path = artifact.Path,
                Digest = artifact.Digest,
            };
            db.Artifacts.Add(record);
        }

        record.Digest = artifact.Digest;
        record.Size = artifact.Size;
        record.CreatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await BlobStore.MarkNamedAsync(db, nodeId, artifact.Digest, ct);
        if (replaced is not null && replaced != artifact.Digest)
        {
            await blobs.DeleteIfUnnamedAsync(replaced, letGoOf: null, ct);
        }
    }

    /// <summary>The artifact of the attempt's node at <paramref name="path"/>, or null.</summary>
    public static Task<ArtifactRecord?> FindAsync(PortholeDb db, long jobId, int attempt, int nodeIndex, string path, CancellationToken ct) =>
        db.Artifacts.AsNoTracking()
            .SingleOrDefaultAsync(a => a.JobId == jobId && a.Attempt == attempt && a.NodeIndex == nodeIndex && a.Path == path, ct);
}
