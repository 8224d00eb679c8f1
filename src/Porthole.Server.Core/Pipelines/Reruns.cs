using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Data;

namespace Porthole.Server.Pipelines;

/// <summary>
/// Cancel and rerun (R-CI-7). A rerun is a new attempt of the same job, never a new pipeline (R-SSH-12); an approval job's
/// new attempt waits for a new approval. Canceling an approval job ends it at once (it has no nodes), and its dependents
/// do not run (§A6).
/// </summary>
public sealed class Reruns(Scheduler scheduler, StateLock stateLock)
{
    private static readonly string[] Unsuccessful = [Status.Failed, Status.TimedOut, Status.InfrastructureFail, Status.Canceled, Status.NotRun];

    /// <summary>Reruns one job from the start, and the jobs after it that did not run because of it.</summary>
    public async Task<(IReadOnlyList<JobAttemptRef>? Jobs, string? Refusal)> RerunJobAsync(PortholeDb db, JobRecord job, long userId, CancellationToken ct)
    {
        using var held = await stateLock.EnterAsync(ct);
        if (await RunningRefusalAsync(db, job, ct) is { } refusal)
        {
            return (null, refusal);
        }

        var jobs = await db.Jobs.Where(j => j.WorkflowId == job.WorkflowId).ToListAsync(ct);
        var targets = new List<JobRecord> { job };
        targets.AddRange(Dependents(jobs, [job]).Where(j => j.Status == Status.NotRun));
        return (await StartAsync(db, job.WorkflowId, targets, "rerun", userId, ct), null);
    }

    /// <summary>Reruns a whole workflow, or with <paramref name="fromFailed"/> only its unsuccessful jobs and what depends on them.</summary>
    public async Task<(IReadOnlyList<JobAttemptRef>? Jobs, string? Refusal)> RerunWorkflowAsync(
        PortholeDb db, WorkflowRecord workflow, bool fromFailed, long userId, CancellationToken ct)
    {
        using var held = await stateLock.EnterAsync(ct);
        var jobs = await db.Jobs.Where(j => j.WorkflowId == workflow.Id).OrderBy(j => j.Id).ToListAsync(ct);
        var jobIds = jobs.Select(j => j.Id).ToList();
        var attemptRunning = await db.Attempts.AnyAsync(
            a => jobIds.Contains(a.JobId) && (a.Status == Status.Blocked || a.Status == Status.Queued || a.Status == Status.Running || a.Status == Status.OnHold), ct);
        if (attemptRunning || jobs.Any(j => !Status.IsFinished(j.Status)))
        {
            var state = workflow.Status == Status.OnHold ? "on hold, waiting for an approval" : "still running";
            return (null, $"Workflow {workflow.Id} ({workflow.Name}) is {state}; cancel it or wait for it to finish before a rerun.");
        }

        List<JobRecord> targets;
        if (fromFailed)
        {
            var failed = jobs.Where(j => Unsuccessful.Contains(j.Status)).ToList();
            if (failed.Count == 0)
            {
                return (null, $"Nothing failed in workflow {workflow.Id} ({workflow.Name}); rerun it from the start instead.");
            }

            targets = [.. failed.Union(Dependents(jobs, failed)).OrderBy(j => j.Id)];
        }
        else
        {
            targets = jobs;
        }

        return (await StartAsync(db, workflow.Id, targets, fromFailed ? "rerun_from_failed" : "rerun", userId, ct), null);
    }

    /// <summary>Reruns one job with an SSH endpoint on each node: a new attempt of the same job that leaves every status as it was (R-SSH-12).</summary>
    public Task<(IReadOnlyList<JobAttemptRef>? Jobs, string? Refusal)> RerunWithSshAsync(PortholeDb db, JobRecord job, long userId, CancellationToken ct) =>
        RerunWithSshAsync(db, project: null, job, userId, breakpoint: null, ct);

    /// <summary>
    /// Reruns one job with an SSH endpoint on each node: a new attempt of the same job that leaves every status as it was
    /// (R-SSH-12). With a <paramref name="breakpoint"/> (R-BEY-4) it is a debug attempt that runs the steps and stops there.
    /// </summary>
    /// <param name="project">The job's project, needed with a breakpoint: its <see cref="Project.DebugOpenAccess"/> decides whether the run gets a token.</param>
    public async Task<(IReadOnlyList<JobAttemptRef>? Jobs, string? Refusal)> RerunWithSshAsync(
        PortholeDb db, Project? project, JobRecord job, long userId, Breakpoint? breakpoint, CancellationToken ct)
    {
        if (breakpoint is not null)
        {
            ArgumentNullException.ThrowIfNull(project);
        }

        using var held = await stateLock.EnterAsync(ct);
        if (ApprovalRefusal(job, "rerun with SSH") is { } approval)
        {
            return (null, approval);
        }

        if (await RunningRefusalAsync(db, job, ct) is { } refusal)
        {
            return (null, refusal);
        }

        var attempt = breakpoint is null
            ? await scheduler.StartAttemptAsync(db, job, "rerun_with_ssh", userId, ct, ssh: true)
            : await scheduler.StartAttemptAsync(db, job, "rerun_with_ssh", userId, ct, debug: true, openAccessToken: OpenAccessToken(project!), breakpoint: breakpoint);
        return ([new JobAttemptRef(job.Id, job.Name, attempt.Number)], null);
    }

    /// <summary>
    /// Restarts a job in debug mode (R-DBG-2): a new attempt that stops before its first step, or with a
    /// <paramref name="breakpoint"/> before another (R-BEY-4) once the steps before it ran; every status stays as it was.
    /// </summary>
    /// <param name="project">The job's project: its <see cref="Project.DebugOpenAccess"/> decides whether the run gets a token.</param>
    public async Task<(AttemptRecord? Attempt, string? Refusal)> DebugAsync(
        PortholeDb db, Project project, JobRecord job, long userId, bool quiet, Breakpoint? breakpoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(project);
        using var held = await stateLock.EnterAsync(ct);
        if (ApprovalRefusal(job, "debug") is { } approval)
        {
            return (null, approval);
        }

        if (await RunningRefusalAsync(db, job, ct) is { } refusal)
        {
            return (null, refusal);
        }

        return (await scheduler.StartAttemptAsync(db, job, "debug", userId, ct, debug: true, quiet: quiet, openAccessToken: OpenAccessToken(project), breakpoint: breakpoint), null);
    }

    /// <summary>
    /// Cancels the job's latest attempt (an SSH one too): waiting nodes end at once, running ones when their runner hears
    /// of it; an approval job (blocked or on hold) ends canceled at once.
    /// </summary>
    public async Task<string?> CancelAsync(PortholeDb db, JobRecord job, CancellationToken ct)
    {
        using var held = await stateLock.EnterAsync(ct);
        return await CancelHeldAsync(db, job, ct);
    }

    /// <summary>
    /// Cancels every job of the workflow that has not finished (CircleCI's workflow cancel): the waiting ones, approvals
    /// on hold among them, end at once, the running ones when their runners hear of it; what depends on them does not run.
    /// </summary>
    /// <returns>Why nothing was canceled (every job had finished), or null.</returns>
    public async Task<string?> CancelWorkflowAsync(PortholeDb db, WorkflowRecord workflow, CancellationToken ct)
    {
        using var held = await stateLock.EnterAsync(ct);
        var jobIds = await db.Jobs.Where(j => j.WorkflowId == workflow.Id).OrderBy(j => j.Id).Select(j => j.Id).ToListAsync(ct);
        var canceled = 0;
        foreach (var id in jobIds)
        {
            // Reread: canceling one job may already have ended its dependents as not run.
            var job = await db.Jobs.SingleAsync(j => j.Id == id, ct);
            if (await CancelHeldAsync(db, job, ct) is null)
            {
                canceled++;
            }
        }

        return canceled == 0 ? $"Workflow {workflow.Id} ({workflow.Name}) has already finished ({workflow.Status})." : null;
    }

    private async Task<string?> CancelHeldAsync(PortholeDb db, JobRecord job, CancellationToken ct)
    {
        var attempt = await db.Attempts.Where(a => a.JobId == job.Id).OrderByDescending(a => a.Number).FirstAsync(ct);

        // A node held for SSH after a failed step (R-BEY-1) still runs in a failed attempt: a cancel ends it.
        if (Status.IsFinished(attempt.Status) && !await db.Nodes.AnyAsync(n => n.AttemptId == attempt.Id && n.HeldAt != null && n.Status == Status.Running, ct))
        {
            return $"Job {job.Id} ({job.Name}) has already finished ({job.Status}).";
        }

        if (job.Type == JobType.Approval)
        {
            await scheduler.EndWithoutNodesAsync(db, job, Status.Canceled, ct);
            return null;
        }

        var nodes = await db.Nodes.Where(n => n.AttemptId == attempt.Id).ToListAsync(ct);
        foreach (var node in nodes)
        {
            if (node.Status is Status.Queued or Status.Blocked)
            {
                node.Status = Status.Canceled;
                node.Message = "canceled before it started";
            }
            else if (node.Status == Status.Running)
            {
                node.CancelRequested = true;
            }
        }

        await db.SaveChangesAsync(ct);
        await scheduler.NodeChangedAsync(db, attempt.Id, ct);
        return null;
    }

    /// <summary>R-DBG-7's opt-in: a fresh secret per debug run, so that a command that leaked lets nobody into the next one.</summary>
    private static string? OpenAccessToken(Project project) => project.DebugOpenAccess
        ? System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))
        : null;

    private static string? ApprovalRefusal(JobRecord job, string action) => job.Type == JobType.Approval
        ? $"Job {job.Id} ({job.Name}) is an approval job: it has no nodes to {action}; approve it, or rerun it to wait for a new approval."
        : null;

    private static async Task<string?> RunningRefusalAsync(PortholeDb db, JobRecord job, CancellationToken ct)
    {
        var latest = await db.Attempts.Where(a => a.JobId == job.Id).OrderByDescending(a => a.Number).FirstAsync(ct);
        if (Status.IsFinished(latest.Status))
        {
            return null;
        }

        var what = latest.Ssh ? "has an SSH attempt running" : $"is {job.Status}";
        return $"Job {job.Id} ({job.Name}) {what}; cancel it (porthole cancel {job.Id}) or wait for it to finish before a rerun.";
    }

    /// <summary>
    /// Makes a new attempt of each of <paramref name="targets"/> (jobs of one workflow) as a rerun does, for a caller that
    /// already holds the <see cref="StateLock"/>: every target is blocked first, then queued once its requirements hold, and
    /// the workflow and pipeline roll up. Its nodes are kept from the runner <paramref name="avoidRunnerId"/>, when given
    /// (a retry of a lost node, <see cref="Project.RetryLostNodes"/>). Nothing is checked: the caller decided.
    /// </summary>
    public async Task<IReadOnlyList<AttemptRecord>> StartAttemptsHeldAsync(
        PortholeDb db, long workflowId, IReadOnlyList<JobRecord> targets, string reason, long userId, long? avoidRunnerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(targets);

        // Block every target first, so that a target's readiness sees its required targets as not yet run.
        foreach (var target in targets)
        {
            target.Status = Status.Blocked;
        }

        await db.SaveChangesAsync(ct);
        var started = new List<AttemptRecord>();
        foreach (var target in targets)
        {
            // The nodes are written kept from that runner: no lease, on any server, ever sees them otherwise.
            started.Add(await scheduler.StartAttemptAsync(db, target, reason, userId, ct, avoidRunnerId: avoidRunnerId));
        }

        await scheduler.RollUpAsync(db, workflowId, ct);
        return started;
    }

    private async Task<IReadOnlyList<JobAttemptRef>> StartAsync(
        PortholeDb db, long workflowId, List<JobRecord> targets, string reason, long userId, CancellationToken ct)
    {
        var attempts = await StartAttemptsHeldAsync(db, workflowId, targets, reason, userId, avoidRunnerId: null, ct);
        return [.. targets.Zip(attempts, (target, attempt) => new JobAttemptRef(target.Id, target.Name, attempt.Number))];
    }

    private static IEnumerable<JobRecord> Dependents(List<JobRecord> jobs, IEnumerable<JobRecord> roots)
    {
        var names = roots.Select(r => r.Name).ToHashSet();
        var found = new List<JobRecord>();
        bool grew;
        do
        {
            grew = false;
            foreach (var job in jobs)
            {
                if (!names.Contains(job.Name) && JobRequires.Parse(job.Requires).Any(names.Contains))
                {
                    names.Add(job.Name);
                    found.Add(job);
                    grew = true;
                }
            }
        }
        while (grew);
        return found;
    }
}
