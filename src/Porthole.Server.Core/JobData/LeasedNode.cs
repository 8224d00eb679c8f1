using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Data;

namespace Porthole.Server.JobData;

/// <summary>A node that holds its lease (it is running), with what job data hangs on: its attempt, job, workflow and project.</summary>
public sealed record LeasedNode(
    long NodeId, int NodeIndex, long AttemptId, int Attempt, long JobId, string JobName, long WorkflowId, long ProjectId)
{
    /// <summary>The node, when it runs now; null when there is no such node or it does not hold its lease.</summary>
    public static async Task<LeasedNode?> FindAsync(PortholeDb db, long nodeId, CancellationToken ct) =>
        await (from n in db.Nodes
               where n.Id == nodeId && n.Status == Status.Running
               join a in db.Attempts on n.AttemptId equals a.Id
               join j in db.Jobs on n.JobId equals j.Id
               join p in db.Pipelines on j.PipelineId equals p.Id
               select new LeasedNode(n.Id, n.Index, a.Id, a.Number, j.Id, j.Name, j.WorkflowId, p.ProjectId))
            .SingleOrDefaultAsync(ct);

    /// <summary>The sentence for a call of a node that does not hold its lease.</summary>
    public static string NoLease(long nodeId) => $"node {nodeId} holds no lease (it is not running): job data is taken from running nodes only";
}
