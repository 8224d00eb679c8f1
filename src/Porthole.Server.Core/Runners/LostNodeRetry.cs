using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Runners;

/// <summary>
/// <c>retry_lost_nodes</c> (<see cref="Project.RetryLostNodes"/>, issue 14): when the <see cref="LeaseSweeper"/> gives up a
/// node whose runner was lost, its job gets one new attempt (reason <c>retry_lost</c>), as a rerun of the job makes it,
/// kept from the lost runner. Not retried: an SSH or debug attempt (a person was in it), an attempt that is itself such a
/// retry (once only), a node being canceled. The lost attempt's other nodes are canceled: the retry runs the whole job.
/// Callers hold the <see cref="StateLock"/>, and call this before the node is ended, so that the job's status follows
/// the retry and its dependents wait for it instead of being released by the lost attempt's failure.
/// </summary>
public sealed class LostNodeRetry(Reruns reruns)
{
    /// <summary>The <see cref="AttemptRecord.Reason"/> of an attempt made because the runner of the one before was lost.</summary>
    public const string Reason = "retry_lost";

    /// <summary>
    /// Retries the job of <paramref name="node"/> when its project says so and it may be; returns the end of the node's log
    /// line that says what became of it (<c>"; retried as attempt 3 on another runner"</c>), or null when there is
    /// nothing to say (the project does not retry lost nodes).
    /// </summary>
    /// <param name="restarted">The node's runner was this server's built-in runner, lost with the previous process: the retry
    /// may run on the built-in runner of this one (a new process, registered under the same name).</param>
    public async Task<string?> RetryAsync(PortholeDb db, NodeRecord node, bool restarted, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(node);
        var attempt = await db.Attempts.SingleAsync(a => a.Id == node.AttemptId, ct);
        var job = await db.Jobs.SingleAsync(j => j.Id == node.JobId, ct);

        // A node of an attempt already retried (another of its nodes was lost first): its job went on as the retry.
        if (job.AttemptCount > attempt.Number)
        {
            var latest = await db.Attempts.SingleAsync(a => a.JobId == job.Id && a.Number == job.AttemptCount, ct);
            return latest.Reason == Reason && latest.Number == attempt.Number + 1 ? $"; its job is retried as attempt {latest.Number}" : null;
        }

        var project = await (from p in db.Pipelines join pr in db.Projects on p.ProjectId equals pr.Id where p.Id == job.PipelineId select pr).SingleAsync(ct);
        if (!project.RetryLostNodes)
        {
            return null;
        }

        if (attempt.Ssh)
        {
            var what = attempt.Debug ? "a debug run" : "an SSH attempt";
            return $"; not retried: it was {what}, and a person may have been in it";
        }

        if (node.HeldStatus is not null)
        {
            return "; not retried: its steps had failed and it was held for SSH";
        }

        if (attempt.Reason == Reason)
        {
            return $"; not retried again: attempt {attempt.Number} was already the retry of a lost one";
        }

        if (node.CancelRequested)
        {
            return "; not retried: it was being canceled";
        }

        // A built-in runner's record is its machine's, shared by every process's built-in runner (they lease under names of
        // their own): the lost one died with its process, and keeping the retry from the record would keep it from the
        // next process's too.
        restarted |= node.RunnerName?.StartsWith(LeaseSweeper.BuiltInRunnerPrefix, StringComparison.Ordinal) == true;
        var avoid = restarted ? null : node.RunnerId;
        var retry = (await reruns.StartAttemptsHeldAsync(db, job.WorkflowId, [job], Reason, attempt.RequestedBy, avoid, ct)).Single();
        await CancelSiblingsAsync(db, node, retry.Number, ct);
        return restarted ? $"; retried as attempt {retry.Number}" : $"; retried as attempt {retry.Number} on another runner";
    }

    /// <summary>The lost attempt's other nodes: those still waiting end canceled now, those running when their runner hears of it.</summary>
    private static async Task CancelSiblingsAsync(PortholeDb db, NodeRecord lost, int retryNumber, CancellationToken ct)
    {
        var siblings = await db.Nodes.Where(n => n.AttemptId == lost.AttemptId && n.Id != lost.Id).ToListAsync(ct);
        foreach (var sibling in siblings)
        {
            if (sibling.Status is Status.Queued or Status.Blocked)
            {
                sibling.Status = Status.Canceled;
                sibling.Message = $"canceled before it started: its job is retried as attempt {retryNumber}";
            }
            else if (sibling.Status == Status.Running)
            {
                sibling.CancelRequested = true;
            }
        }

        await db.SaveChangesAsync(ct);
    }
}
