using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Runners;
using Porthole.Data;
using Porthole.Server.Pipelines;

namespace Porthole.Server.JobData;

/// <summary>
/// A workflow's workspace (§A5): layers persisted by its jobs' nodes. A job attaches the layers of its transitive
/// <c>requires</c> ancestors only, in workflow order (a job after every job it requires); of each ancestor, those of its
/// latest attempt that persisted anything and is not an SSH or debug attempt, so a rerun from failed inherits what the jobs
/// it did not rerun persisted. A file two concurrent ancestors (neither requires the other) both persisted refuses the attach.
/// </summary>
public sealed class WorkspaceLayers(IDbContextFactory<PortholeDb> dbFactory, TimeProvider time)
{
    /// <summary>Most file paths one layer may list.</summary>
    public const int MaxPaths = 1_000_000;

    public async Task PersistAsync(long nodeId, WorkspaceLayer layer, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var node = await LeasedNode.FindAsync(db, nodeId, ct) ?? throw new InvalidOperationException(LeasedNode.NoLease(nodeId));
        if (await BlobStore.UnnameableAsync(db, nodeId, layer.Digest, layer.Size, ct) is { } unnameable)
        {
            throw new InvalidOperationException($"The workspace layer cannot be persisted: {unnameable}.");
        }

        var paths = layer.Paths ?? [];
        if (paths.Count > MaxPaths)
        {
            throw new InvalidOperationException($"A workspace layer lists at most {MaxPaths} files, not {paths.Count}.");
        }

        if (paths.FirstOrDefault(p => StoredPath.Problem(p) is not null) is { } bad)
        {
            throw new InvalidOperationException($"The workspace layer cannot be persisted: {StoredPath.Problem(bad)}.");
        }

        db.WorkspaceLayers.Add(new WorkspaceLayerRecord
        {
            WorkflowId = node.WorkflowId,
            JobId = node.JobId,
            AttemptId = node.AttemptId,
            Attempt = node.Attempt,
            NodeId = node.NodeId,
            NodeIndex = node.NodeIndex,
            Digest = layer.Digest,
            Size = layer.Size,
            Paths = JsonSerializer.Serialize(paths),
            CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
        await BlobStore.MarkNamedAsync(db, nodeId, layer.Digest, ct);
    }

    public async Task<WorkspaceAttach> AttachAsync(long nodeId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var node = await LeasedNode.FindAsync(db, nodeId, ct) ?? throw new InvalidOperationException(LeasedNode.NoLease(nodeId));
        var jobs = await db.Jobs.Where(j => j.WorkflowId == node.WorkflowId).OrderBy(j => j.Id)
            .Select(j => new { j.Id, j.Name, j.Requires }).ToListAsync(ct);
        var graph = new RequiresGraph(jobs.Select(j => (j.Name, JobRequires.Parse(j.Requires))));
        var ancestors = graph.Ancestors(node.JobName);
        var ids = jobs.ToDictionary(j => j.Name, j => j.Id);
        var layersOf = new Dictionary<string, List<WorkspaceLayerRecord>>(StringComparer.Ordinal);
        foreach (var name in graph.InOrder(ancestors))
        {
            var jobId = ids[name];
            var attempt = await (from l in db.WorkspaceLayers
                                 where l.WorkflowId == node.WorkflowId && l.JobId == jobId
                                 join a in db.Attempts on l.AttemptId equals a.Id
                                 where !a.Ssh
                                 orderby l.Attempt descending
                                 select (long?)l.AttemptId).FirstOrDefaultAsync(ct);
            if (attempt is not null)
            {
                layersOf[name] = await db.WorkspaceLayers.AsNoTracking().Where(l => l.AttemptId == attempt)
                    .OrderBy(l => l.NodeIndex).ThenBy(l => l.Id).ToListAsync(ct);
            }
        }

        if (Conflict(graph, layersOf) is { } conflict)
        {
            return new WorkspaceAttach([], conflict);
        }

        return new WorkspaceAttach([.. layersOf.SelectMany(pair => pair.Value.Select(l => new WorkspaceLayerRef(pair.Key, l.Digest, l.Size)))]);
    }

    /// <summary>The first file two concurrent ancestors both persisted, said with both jobs' names; null when none.</summary>
    private static string? Conflict(RequiresGraph graph, Dictionary<string, List<WorkspaceLayerRecord>> layersOf)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (job, layers) in layersOf)
        {
            foreach (var path in layers.SelectMany(l => JsonSerializer.Deserialize<List<string>>(l.Paths) ?? []).Distinct(StringComparer.Ordinal))
            {
                if (owners.TryGetValue(path, out var earlier) && earlier != job && !graph.Ordered(earlier, job))
                {
                    return $"the workspace file '{path}' was persisted by both '{earlier}' and '{job}', which ran concurrently " +
                        "(neither requires the other), so which one to attach is undefined; persist it from one of them only, " +
                        $"or make one require the other";
                }

                owners[path] = job;
            }
        }

        return null;
    }
}
