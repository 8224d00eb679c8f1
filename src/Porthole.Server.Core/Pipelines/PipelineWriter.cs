using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Data;

namespace Porthole.Server.Pipelines;

/// <summary>
/// Stores a planned pipeline in batches of jobs, each batch its own short transaction under the <see cref="StateLock"/>,
/// so that no reader and no other change of state waits for a whole pipeline. A batch inserts its rows with prepared
/// statements (<see cref="RowInserter{T}"/>), which costs some 0.4 ms per job where a save per job cost 5 ms and grew.
/// </summary>
/// <remarks>
/// <para>
/// Why readers waited for a whole pipeline: the server's connections share one SQLite cache, and in a shared cache a
/// table written by an open transaction is locked for every other connection of that cache ("database table is
/// locked", retried by Microsoft.Data.Sqlite every 150 ms); WAL's readers-never-wait holds between caches only. So the
/// writer uses a connection with a cache of its own: readers go on reading what was committed, and the batches keep
/// the other writers' waits (for SQLite's one write lock) short.
/// </para>
/// <para>
/// Consistency: the pipeline is stored first as <see cref="Scheduler.Creating"/> with its workflows; each batch adds
/// jobs with their first attempt and nodes, all blocked, so no runner can lease a node of a half-stored pipeline
/// (leases take queued nodes only) and the scheduler leaves it alone. <see cref="Scheduler.StartPipelineAsync"/>
/// then queues what requires nothing. A pipeline whose storing failed is deleted; one left by a crash, by
/// <see cref="DeleteAbandonedAsync"/>.
/// </para>
/// </remarks>
public sealed class PipelineWriter(Scheduler scheduler, StateLock stateLock, TimeProvider time)
{
    /// <summary>Jobs per batch, or fewer when their nodes reach <see cref="BatchNodes"/>.</summary>
    public const int BatchJobs = 100;

    public const int BatchNodes = 400;

    private readonly ConcurrentDictionary<long, byte> _writing = new();
    private DbContextOptions<PortholeDb>? _ownCache;
    private int _swept;

    /// <summary>
    /// Reserves the id of a pipeline about to be planned (<c>pipeline.id</c> is known to the config before the plan is):
    /// an id reserved and never stored is a gap no one sees.
    /// </summary>
    public async Task<long> ReserveIdAsync(PortholeDb caller, CancellationToken ct)
    {
        await using var db = OwnCache(caller);
        using var held = await stateLock.EnterAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var id = await IdAllocator.NextAsync(db, ct);
        await transaction.CommitAsync(ct);
        return id;
    }

    /// <summary>
    /// Stores <paramref name="plan"/> as pipeline <see cref="PipelineStart.Number"/> of the project (the next one: the
    /// caller keeps other triggers of the project out meanwhile) and starts it, through a context of its own made like
    /// <paramref name="caller"/> (whose tracked entities it leaves alone).
    /// </summary>
    /// <returns>The pipeline as stored, detached.</returns>
    public async Task<PipelineRecord> WriteAsync(PortholeDb caller, PipelineStart start, PipelinePlan plan, CancellationToken ct)
    {
        await using var db = OwnCache(caller);
        if (Interlocked.Exchange(ref _swept, 1) == 0)
        {
            await DeleteAbandonedAsync(db, ct);
        }

        var userId = start.TriggeredBy;
        var (pipeline, firstWorkflowId) = await CreateAsync(db, start, plan, ct);
        try
        {
            var jobs = Jobs(pipeline, firstWorkflowId, plan);
            for (var first = 0; first < jobs.Count;)
            {
                var count = BatchLength(jobs, first);
                await AddJobsAsync(db, jobs.GetRange(first, count), userId, ct);
                first += count;
            }

            using (await stateLock.EnterAsync(ct))
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                await scheduler.StartPipelineAsync(db, pipeline.Id, ct);
                await transaction.CommitAsync(ct);
            }
        }
        catch
        {
            // Canceled (the client went away) or failed: a pipeline never runs half stored.
            db.ChangeTracker.Clear();
            using (await stateLock.EnterAsync(CancellationToken.None))
            {
                await DeleteAsync(db, pipeline.Id, CancellationToken.None);
            }

            throw;
        }
        finally
        {
            _writing.TryRemove(pipeline.Id, out _);
        }

        return await db.Pipelines.AsNoTracking().SingleAsync(p => p.Id == pipeline.Id, CancellationToken.None);
    }

    /// <summary>
    /// Deletes the pipelines left <see cref="Scheduler.Creating"/> by an earlier process (it stopped while storing them;
    /// their nodes never ran). Called before this process stores its first pipeline.
    /// </summary>
    public async Task DeleteAbandonedAsync(PortholeDb db, CancellationToken ct)
    {
        using var held = await stateLock.EnterAsync(ct);
        var creating = await db.Pipelines.Where(p => p.Status == Scheduler.Creating).Select(p => p.Id).ToListAsync(ct);
        foreach (var id in creating.Where(id => !_writing.ContainsKey(id)))
        {
            await DeleteAsync(db, id, ct);
        }
    }

    /// <summary>
    /// The pipeline row (creating) with its reserved id and number and its workflows, with ids reserved for them and every
    /// job at once; returns the first workflow's id.
    /// </summary>
    private async Task<(PipelineRecord Pipeline, long FirstWorkflowId)> CreateAsync(PortholeDb db, PipelineStart start, PipelinePlan plan, CancellationToken ct)
    {
        using var held = await stateLock.EnterAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var project = await db.Projects.SingleAsync(p => p.Id == start.ProjectId, ct);
        if (project.PipelineCount + 1 != start.Number)
        {
            throw new InvalidOperationException(
                $"pipeline #{start.Number} of project {project.Name} was planned, but its next number is #{project.PipelineCount + 1}");
        }

        project.PipelineCount = start.Number;
        var count = plan.Workflows.Count + plan.Workflows.Sum(w => w.Jobs.Count);
        var first = count == 0 ? 0 : await IdAllocator.ReserveAsync(db, count, ct);
        var pipeline = new PipelineRecord
        {
            Id = start.Id,
            ProjectId = project.Id,
            Number = start.Number,
            Ref = start.Ref,
            DefaultBranch = start.DefaultBranch,
            Commit = start.Commit,
            ConfigPath = plan.ConfigPath,
            Dialect = plan.Dialect == ConfigDialect.Travis ? "travis" : "circleci",
            Status = Scheduler.Creating,
            TriggeredBy = start.TriggeredBy,
            CreatedAt = time.GetUtcNow(),
            Branch = start.Branch,
            Tag = start.Tag,
            TriggerSource = start.TriggerSource,
            ScheduleName = start.ScheduleName,
            CommitMessage = start.CommitMessage is { Length: > 4096 } message ? message[..4096] : start.CommitMessage,
            Parameters = plan.Parameters.Count == 0 ? null : JsonSerializer.Serialize(plan.Parameters, PlanJson.Options),
            Orbs = plan.Orbs.Count == 0 ? null : JsonSerializer.Serialize(plan.Orbs, PlanJson.Options),
            HoldOnFailure = start.HoldOnFailure,
        };
        var workflows = plan.Workflows
            .Select((workflow, index) => new WorkflowRecord { Id = first + index, PipelineId = pipeline.Id, Name = workflow.Name, Status = Status.Queued, FastFinish = workflow.FastFinish })
            .ToList();
        db.Pipelines.Add(pipeline);
        db.Workflows.AddRange(workflows);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        _writing[pipeline.Id] = 0;

        // The scheduler's queries must read what is stored, not what was added.
        db.ChangeTracker.Clear();
        return (pipeline, first);
    }

    /// <summary>Every job of the plan, numbered in plan order, with the ids reserved after the workflows'.</summary>
    private static List<JobRecord> Jobs(PipelineRecord pipeline, long firstWorkflowId, PipelinePlan plan)
    {
        var jobs = new List<JobRecord>();
        var nextId = firstWorkflowId + plan.Workflows.Count;
        for (var w = 0; w < plan.Workflows.Count; w++)
        {
            foreach (var jobPlan in plan.Workflows[w].Jobs)
            {
                jobs.Add(new JobRecord
                {
                    Id = nextId++,
                    WorkflowId = firstWorkflowId + w,
                    PipelineId = pipeline.Id,
                    Number = jobs.Count + 1,
                    Name = jobPlan.Name,
                    Plan = JsonSerializer.Serialize(jobPlan, PlanJson.Options),
                    Requires = JobRequires.Format(jobPlan.Requires),
                    Parallelism = Math.Max(1, jobPlan.Parallelism),
                    Status = Status.Blocked,
                    AttemptCount = 1,
                    Type = jobPlan.Type,
                    AllowFailure = jobPlan.AllowFailure,
                    Stage = jobPlan.Stage,
                    RunnerLabels = Porthole.Contracts.Runners.RunnerLabels.Format(Porthole.Contracts.Runners.RunnerLabels.Required(jobPlan)),
                });
            }
        }

        return jobs;
    }

    private static int BatchLength(List<JobRecord> jobs, int start)
    {
        var count = 0;
        var nodes = 0;
        while (start + count < jobs.Count && count < BatchJobs && (count == 0 || nodes + jobs[start + count].Parallelism <= BatchNodes))
        {
            nodes += jobs[start + count].Parallelism;
            count++;
        }

        return count;
    }

    /// <summary>One batch: the jobs, their first attempts and one node per parallelism index (an approval: none), all blocked.</summary>
    private async Task AddJobsAsync(PortholeDb db, List<JobRecord> jobs, long userId, CancellationToken ct)
    {
        using var held = await stateLock.EnterAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        using var jobRows = new RowInserter<JobRecord>(db);
        using var attemptRows = new RowInserter<AttemptRecord>(db);
        using var nodeRows = new RowInserter<NodeRecord>(db);
        var now = time.GetUtcNow();
        foreach (var job in jobs)
        {
            await jobRows.InsertAsync(job, ct);
            var attempt = new AttemptRecord { JobId = job.Id, Number = 1, Status = Status.Blocked, Reason = "trigger", RequestedBy = userId, CreatedAt = now };
            attempt.Id = (await attemptRows.InsertAsync(attempt, ct))!.Value;
            for (var index = 0; index < Scheduler.NodeCount(job); index++)
            {
                await nodeRows.InsertAsync(new NodeRecord { AttemptId = attempt.Id, JobId = job.Id, Index = index, Status = Status.Blocked }, ct);
            }
        }

        await transaction.CommitAsync(ct);
    }

    private static async Task DeleteAsync(PortholeDb db, long pipelineId, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var jobs = db.Jobs.Where(j => j.PipelineId == pipelineId).Select(j => j.Id);
        await db.Nodes.Where(n => jobs.Contains(n.JobId)).ExecuteDeleteAsync(ct);
        await db.Attempts.Where(a => jobs.Contains(a.JobId)).ExecuteDeleteAsync(ct);
        await db.Jobs.Where(j => j.PipelineId == pipelineId).ExecuteDeleteAsync(ct);
        await db.Workflows.Where(w => w.PipelineId == pipelineId).ExecuteDeleteAsync(ct);
        await db.Pipelines.Where(p => p.Id == pipelineId).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>A context configured as <paramref name="caller"/> but whose connections have a cache of their own (see the remarks).</summary>
    private PortholeDb OwnCache(PortholeDb caller)
    {
        _ownCache ??= Porthole.Data.Sqlite.SqliteDatabase.PrivateCacheOptions(caller);
        return new PortholeDb(_ownCache);
    }
}
