using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Data;
using Porthole.Server.Runners;

namespace Porthole.Server.Pipelines;

/// <summary>
/// Moves jobs through their lives: a job whose <c>requires</c> all succeeded is queued (an approval job is put
/// <c>on_hold</c> instead: it has no nodes and waits for <see cref="Approvals"/>), one whose requirement did not succeed
/// is not run, and each change rolls up to the attempt, job, workflow and pipeline. Callers hold the <see cref="StateLock"/>.
/// </summary>
public sealed class Scheduler(TimeProvider time, WorkSignal work)
{
    /// <summary>
    /// The status of a pipeline whose jobs are still being stored (<see cref="PipelineWriter"/>): its nodes are all
    /// blocked, so no runner leases them, and no dependent of its jobs is released until <see cref="StartPipelineAsync"/>.
    /// </summary>
    public const string Creating = "creating";

    /// <summary>Creates a new attempt of a job with one node per parallelism index, queued or blocked.</summary>
    /// <remarks>
    /// An SSH attempt (R-SSH-12) is queued at once (its job ran before, so its requirements held) and leaves the
    /// job's status as it was: it is listed with the job, but the job, workflow and pipeline keep their statuses.
    /// An approval job's attempt has no node (nothing to lease): on hold when its requirements are met, else blocked,
    /// and the approval of an earlier attempt is forgotten (§A6: a rerun waits for a new approval).
    /// The nodes are written kept from <paramref name="avoidRunnerId"/> when given (a lost node's retry). A debug attempt
    /// may stop at a <paramref name="breakpoint"/> (R-BEY-4) instead of before its first step.
    /// </remarks>
    public async Task<AttemptRecord> StartAttemptAsync(
        PortholeDb db, JobRecord job, string reason, long requestedBy, CancellationToken ct, bool ssh = false, bool debug = false, bool quiet = false,
        string? openAccessToken = null, long? avoidRunnerId = null, Breakpoint? breakpoint = null)
    {
        if (breakpoint is not null && !debug)
        {
            throw new InvalidOperationException("A breakpoint stops a debug attempt: only a debug attempt has one.");
        }

        ssh |= debug;
        var approval = job.Type == JobType.Approval;
        if (approval && ssh)
        {
            throw new InvalidOperationException($"Job {job.Id} is an approval job: it has no node to enter.");
        }

        var ready = ssh || await RequirementsAsync(db, job, ct) == Readiness.Ready;
        var status = ready ? ReadyStatus(job) : Status.Blocked;
        job.AttemptCount++;
        if (!ssh)
        {
            job.Status = status;
        }

        if (approval)
        {
            job.ApprovedBy = null;
            job.ApprovedAt = null;
        }

        var attempt = new AttemptRecord
        {
            JobId = job.Id,
            Number = job.AttemptCount,
            Status = status,
            StartedAt = status == Status.OnHold ? time.GetUtcNow() : null,
            Reason = reason,
            Ssh = ssh || debug,
            Debug = debug,
            Quiet = quiet,
            OpenAccessToken = debug ? openAccessToken : null,
            BreakBefore = breakpoint?.Before,
            BreakOnFailure = breakpoint?.OnFailure ?? false,
            RequestedBy = requestedBy,
            CreatedAt = time.GetUtcNow(),
        };
        db.Attempts.Add(attempt);
        await db.SaveChangesAsync(ct);
        for (var index = 0; index < NodeCount(job); index++)
        {
            db.Nodes.Add(new NodeRecord { AttemptId = attempt.Id, JobId = job.Id, Index = index, Status = status, QueuedAt = status == Status.Queued ? time.GetUtcNow() : null, AvoidRunnerId = avoidRunnerId });
        }

        await db.SaveChangesAsync(ct);
        if (status == Status.Queued)
        {
            work.Pulse();
        }

        return attempt;
    }

    /// <summary>
    /// Starts a pipeline stored as <see cref="Creating"/>, whose jobs all have a blocked first attempt: queues the jobs that
    /// require nothing, and when a job was canceled while the pipeline was stored, lets that flow to its dependents and up.
    /// </summary>
    public async Task StartPipelineAsync(PortholeDb db, long pipelineId, CancellationToken ct)
    {
        // Approval jobs that require nothing wait for a person at once (§A6); they have no nodes.
        var holds = db.Jobs.Where(j => j.PipelineId == pipelineId && j.Status == Status.Blocked && j.Requires == "" && j.Type == JobType.Approval).Select(j => j.Id);
        await db.Attempts.Where(a => holds.Contains(a.JobId) && a.Status == Status.Blocked)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, Status.OnHold).SetProperty(a => a.StartedAt, time.GetUtcNow()), ct);
        await db.Jobs.Where(j => j.PipelineId == pipelineId && j.Status == Status.Blocked && j.Requires == "" && j.Type == JobType.Approval)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, Status.OnHold), ct);

        var ready = db.Jobs.Where(j => j.PipelineId == pipelineId && j.Status == Status.Blocked && j.Requires == "").Select(j => j.Id);
        await db.Nodes.Where(n => ready.Contains(n.JobId) && n.Status == Status.Blocked)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.Status, Status.Queued).SetProperty(n => n.QueuedAt, time.GetUtcNow()), ct);
        await db.Attempts.Where(a => ready.Contains(a.JobId) && a.Status == Status.Blocked)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, Status.Queued), ct);
        var queued = await db.Jobs.Where(j => j.PipelineId == pipelineId && j.Status == Status.Blocked && j.Requires == "")
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, Status.Queued), ct);
        await db.Pipelines.Where(p => p.Id == pipelineId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, Status.Queued), ct);

        // Untouched, every workflow and the pipeline are queued, as they were stored; a job canceled meanwhile changes that.
        var changed = await db.Jobs.Where(j => j.PipelineId == pipelineId && j.Status != Status.Blocked && j.Status != Status.Queued)
            .Select(j => j.WorkflowId).Distinct().ToListAsync(ct);
        foreach (var workflowId in changed)
        {
            await ReleaseDependentsAsync(db, workflowId, ct);
            await RollUpAsync(db, workflowId, ct);
        }

        if (queued > 0)
        {
            work.Pulse();
        }
    }

    /// <summary>Recomputes an attempt from its nodes and lets the change flow up and to the dependents.</summary>
    public async Task NodeChangedAsync(PortholeDb db, long attemptId, CancellationToken ct)
    {
        var attempt = await db.Attempts.SingleAsync(a => a.Id == attemptId, ct);

        // A node held on failure (R-BEY-1) counts with its steps' result while it waits for SSH.
        var nodes = await db.Nodes.Where(n => n.AttemptId == attemptId).Select(n => n.HeldStatus ?? n.Status).ToListAsync(ct);
        var status = StatusRollup.OfNodes(nodes);
        if (status == Status.Running && attempt.StartedAt is null)
        {
            attempt.StartedAt = time.GetUtcNow();
        }

        if (Status.IsFinished(status) && attempt.FinishedAt is null)
        {
            attempt.FinishedAt = time.GetUtcNow();
        }

        attempt.Status = status;
        if (attempt.Ssh)
        {
            await db.SaveChangesAsync(ct);
            return;
        }

        var job = await db.Jobs.SingleAsync(j => j.Id == attempt.JobId, ct);
        if (job.AttemptCount == attempt.Number)
        {
            job.Status = status;
        }

        await db.SaveChangesAsync(ct);
        if (Status.IsFinished(job.Status))
        {
            await ReleaseDependentsAsync(db, job.WorkflowId, ct);
        }

        await RollUpAsync(db, job.WorkflowId, ct);
    }

    /// <summary>Queues blocked jobs whose requirements all succeeded; ends as not run those whose requirement did not.</summary>
    public async Task ReleaseDependentsAsync(PortholeDb db, long workflowId, CancellationToken ct)
    {
        // A job of a pipeline still being stored was canceled: its other jobs may not be stored yet, so their
        // release waits for StartPipelineAsync.
        var creating = await db.Workflows.Where(w => w.Id == workflowId)
            .Join(db.Pipelines, w => w.PipelineId, p => p.Id, (w, p) => p.Status)
            .AnyAsync(status => status == Creating, ct);
        if (creating)
        {
            return;
        }

        bool changed;
        do
        {
            changed = false;
            var blocked = await db.Jobs.Where(j => j.WorkflowId == workflowId && j.Status == Status.Blocked).ToListAsync(ct);
            foreach (var job in blocked)
            {
                var readiness = await RequirementsAsync(db, job, ct);
                if (readiness == Readiness.Waiting)
                {
                    continue;
                }

                var status = readiness == Readiness.Ready ? ReadyStatus(job) : Status.NotRun;
                var attempt = await db.Attempts.SingleAsync(a => a.JobId == job.Id && a.Number == job.AttemptCount, ct);
                attempt.Status = status;
                if (status == Status.NotRun)
                {
                    attempt.FinishedAt = time.GetUtcNow();
                }
                else if (status == Status.OnHold)
                {
                    // An approval's wait is its run: its duration is how long it was on hold.
                    attempt.StartedAt = time.GetUtcNow();
                }

                DateTimeOffset? queuedAt = status == Status.Queued ? time.GetUtcNow() : null;
                await db.Nodes.Where(n => n.AttemptId == attempt.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(n => n.Status, status).SetProperty(n => n.QueuedAt, queuedAt), ct);
                job.Status = status;
                changed = true;
                if (status == Status.Queued)
                {
                    work.Pulse();
                }
            }

            await db.SaveChangesAsync(ct);
        }
        while (changed);
    }

    /// <summary>
    /// Ends the latest attempt of a job that has no nodes (an approval: <c>success</c> when approved, <c>canceled</c>)
    /// and lets that flow to its dependents and up, as <see cref="NodeChangedAsync"/> does for a job whose nodes ended.
    /// </summary>
    public async Task EndWithoutNodesAsync(PortholeDb db, JobRecord job, string status, CancellationToken ct)
    {
        if (!Status.IsFinished(status))
        {
            throw new ArgumentException($"'{status}' is not a status a job ends with.", nameof(status));
        }

        var attempt = await db.Attempts.SingleAsync(a => a.JobId == job.Id && a.Number == job.AttemptCount, ct);
        attempt.Status = status;
        attempt.FinishedAt ??= time.GetUtcNow();
        job.Status = status;
        await db.SaveChangesAsync(ct);
        await ReleaseDependentsAsync(db, job.WorkflowId, ct);
        await RollUpAsync(db, job.WorkflowId, ct);
    }

    public async Task RollUpAsync(PortholeDb db, long workflowId, CancellationToken ct)
    {
        var workflow = await db.Workflows.SingleAsync(w => w.Id == workflowId, ct);
        var jobs = await db.Jobs.Where(j => j.WorkflowId == workflowId).Select(j => new { j.Status, j.AllowFailure }).ToListAsync(ct);
        workflow.Status = StatusRollup.OfJobs([.. jobs.Select(j => new JobOutcome(j.Status, j.AllowFailure))], workflow.FastFinish);
        await db.SaveChangesAsync(ct);

        var pipeline = await db.Pipelines.SingleAsync(p => p.Id == workflow.PipelineId, ct);
        if (pipeline.Status == Creating)
        {
            return;
        }

        var workflows = await db.Workflows.Where(w => w.PipelineId == pipeline.Id).Select(w => w.Status).ToListAsync(ct);
        pipeline.Status = StatusRollup.OfJobs(workflows);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The nodes a new attempt of the job gets: one per parallelism index, none for an approval.</summary>
    public static int NodeCount(JobRecord job) => job.Type == JobType.Approval ? 0 : job.Parallelism;

    /// <summary>What a job becomes once its requirements are met: queued for a runner, or on hold for a person.</summary>
    private static string ReadyStatus(JobRecord job) => job.Type == JobType.Approval ? Status.OnHold : Status.Queued;

    private enum Readiness
    {
        Ready,
        Waiting,
        Never,
    }

    private static async Task<Readiness> RequirementsAsync(PortholeDb db, JobRecord job, CancellationToken ct)
    {
        var names = JobRequires.Parse(job.Requires);
        if (names.Count == 0)
        {
            return Readiness.Ready;
        }

        // A job allowed to fail (Travis's allow_failures, §B9/§B10) lets the jobs that require it run whatever its end.
        var required = await db.Jobs
            .Where(j => j.WorkflowId == job.WorkflowId && names.Contains(j.Name))
            .Select(j => new { j.Status, j.AllowFailure })
            .ToListAsync(ct);
        if (required.All(r => r.Status == Status.Success || (r.AllowFailure && Status.IsFinished(r.Status))))
        {
            return Readiness.Ready;
        }

        return required.Any(r => Status.IsFinished(r.Status) && r.Status != Status.Success && !r.AllowFailure) ? Readiness.Never : Readiness.Waiting;
    }
}
