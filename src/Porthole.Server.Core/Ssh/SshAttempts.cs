using Porthole.Data;
using Porthole.Contracts.Api;

namespace Porthole.Server.Ssh;

/// <summary>
/// The attempts of a job whose nodes have SSH endpoints: SSH reruns and debug runs, and attempts of the job itself with a
/// node held for SSH after a failed step (R-BEY-1). The SSH view, the browser terminal and the job page's SSH panel read
/// these.
/// </summary>
public static class SshAttempts
{
    public static IQueryable<AttemptRecord> Of(PortholeDb db, long jobId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Attempts.Where(a => a.JobId == jobId && (a.Ssh || db.Nodes.Any(n => n.AttemptId == a.Id && n.HeldAt != null)));
    }

    /// <summary>
    /// Whether the attempt's nodes still run: an SSH attempt's status says so, a held attempt's does not (it is failed
    /// while its node waits for SSH), so the nodes are asked.
    /// </summary>
    public static bool IsLive(AttemptRecord attempt, IEnumerable<NodeRecord> nodes)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return attempt.Ssh ? !Status.IsFinished(attempt.Status) : nodes.Any(n => !Status.IsFinished(n.Status));
    }
}
