using System.Text;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Data;

namespace Porthole.Server.Runners;

/// <summary>The lease's refusal of a node whose job may not use a context it names (§A6; <see cref="Contexts.ContextGrants"/>).</summary>
public sealed partial class RunnerService
{
    /// <summary>CircleCI shows a context's refusal in this step of the job, so users look for it there.</summary>
    public const string ContextStepName = "Preparing environment variables";

    /// <summary>
    /// Ends a node that was just leased as failed without running it: a step of its own in the log says why, and the
    /// reason is the node's message.
    /// </summary>
    private async Task RefuseAsync(PortholeDb db, NodeRecord node, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var text = $"\u001b[1m==> {ContextStepName}\u001b[0m\n\u001b[31m{char.ToUpperInvariant(reason[0])}{reason[1..]}.\u001b[0m\nThe job did not run.\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        var start = logs.Length(node.Id);
        await logs.AppendAsync(node.Id, start, bytes, ct);
        db.Steps.Add(new StepRecord
        {
            NodeId = node.Id,
            Index = 0,
            Name = ContextStepName,
            Status = Status.Failed,
            ExitCode = null,
            LogStart = start,
            LogEnd = start + bytes.Length,
            StartedAt = now,
            FinishedAt = now,
        });
        await db.SaveChangesAsync(ct);
        await db.Nodes.Where(n => n.Id == node.Id && n.Status == Status.Running).ExecuteUpdateAsync(
            s => s.SetProperty(n => n.Status, Status.Failed)
                .SetProperty(n => n.Message, reason)
                .SetProperty(n => n.FinishedAt, now)
                .SetProperty(n => n.LeaseExpiresAt, (DateTimeOffset?)null),
            ct);
        await scheduler.NodeChangedAsync(db, node.AttemptId, ct);
        logs.Wake(node.Id);
    }
}
