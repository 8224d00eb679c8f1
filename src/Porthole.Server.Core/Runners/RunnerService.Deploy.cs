using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;

namespace Porthole.Server.Runners;

/// <summary>What a node's <c>deploy</c> step waits on: the other nodes of its attempt.</summary>
public sealed partial class RunnerService
{
    public async Task<SiblingNodes> SiblingNodesAsync(long nodeId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var attemptId = await db.Nodes.Where(n => n.Id == nodeId).Select(n => (long?)n.AttemptId).SingleOrDefaultAsync(cancellationToken);
        if (attemptId is null)
        {
            return new SiblingNodes(0, 0, 0);
        }

        var statuses = await db.Nodes.Where(n => n.AttemptId == attemptId && n.Id != nodeId).Select(n => n.Status).ToListAsync(cancellationToken);
        return new SiblingNodes(statuses.Count, statuses.Count(Status.IsFinished), statuses.Count(s => s == Status.Success));
    }
}
