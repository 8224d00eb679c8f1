using Porthole.Contracts.Api;

namespace Porthole.Server.Pipelines;

/// <summary>A job's status as its workflow counts it, and whether it is allowed to fail.</summary>
public sealed record JobOutcome(string Status, bool AllowFailure);

/// <summary>How the statuses of parts (nodes, jobs, workflows) add up to the status of the whole.</summary>
public static class StatusRollup
{
    /// <summary>The status of an attempt from its nodes'.</summary>
    public static string OfNodes(IReadOnlyCollection<string> nodes)
    {
        if (nodes.Count == 0)
        {
            return Status.Queued;
        }

        if (nodes.All(Status.IsFinished))
        {
            return Worst(nodes);
        }

        if (nodes.All(s => s == Status.Blocked))
        {
            return Status.Blocked;
        }

        return nodes.Any(s => s != Status.Queued && s != Status.Blocked) ? Status.Running : Status.Queued;
    }

    /// <summary>The status of a workflow from its jobs', or of a pipeline from its workflows'.</summary>
    /// <remarks>
    /// <c>on_hold</c> when what is left waits for a person: some part is on hold and none is queued or running (the
    /// blocked ones can then only be waiting for the holds). A workflow on hold is not finished; nor is its pipeline,
    /// which rolls up the same way: on hold while its only unfinished workflows are on hold or blocked.
    /// </remarks>
    public static string OfJobs(IReadOnlyCollection<string> jobs)
    {
        if (jobs.Count > 0 && jobs.All(Status.IsFinished))
        {
            return Worst(jobs);
        }

        if (jobs.Contains(Status.OnHold) && !jobs.Any(s => s is Status.Queued or Status.Running))
        {
            return Status.OnHold;
        }

        return jobs.Any(s => s is not (Status.Queued or Status.Blocked)) ? Status.Running : Status.Queued;
    }

    /// <summary>
    /// The status of a workflow from its jobs', where some may be allowed to fail (Travis's allow_failures): their ends
    /// never count against it. With <paramref name="fastFinish"/> the result is decided once the jobs not allowed to fail
    /// are done, while the others may still run (§B9).
    /// </summary>
    public static string OfJobs(IReadOnlyCollection<JobOutcome> jobs, bool fastFinish)
    {
        if (!jobs.Any(j => j.AllowFailure))
        {
            return OfJobs([.. jobs.Select(j => j.Status)]);
        }

        var counted = jobs.Where(j => !j.AllowFailure).Select(j => j.Status).ToList();
        var decided = jobs.All(j => Status.IsFinished(j.Status)) || (fastFinish && counted.All(Status.IsFinished));
        if (decided)
        {
            return Worst(counted);
        }

        return OfJobs([.. jobs.Select(j => Status.IsFinished(j.Status) && j.AllowFailure ? Status.Success : j.Status)]);
    }

    private static string Worst(IEnumerable<string> finished)
    {
        var set = finished.ToHashSet();
        foreach (var status in (string[])[Status.Failed, Status.TimedOut, Status.InfrastructureFail, Status.Canceled, Status.NotRun])
        {
            if (set.Contains(status))
            {
                return status == Status.NotRun ? Status.Failed : status;
            }
        }

        return Status.Success;
    }
}
