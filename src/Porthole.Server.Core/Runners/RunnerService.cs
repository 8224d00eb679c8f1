using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Server.Contexts;
using Porthole.Data;
using Porthole.Server.JobData;
using Porthole.Server.Logs;
using Porthole.Server.Pipelines;
using Porthole.Server.Projects;
using Porthole.Server.Ssh;

namespace Porthole.Server.Runners;

/// <summary>The server's side of <see cref="IRunnerProtocol"/>, used in-process by the built-in runner.</summary>
public sealed partial class RunnerService(
    IDbContextFactory<PortholeDb> dbFactory,
    StateLock stateLock,
    Scheduler scheduler,
    WorkSignal work,
    LogStore logs,
    WebTerminalGrants webTerminals,
    TimeProvider time,
    IOptions<PortholeOptions> options,
    JobDataStore jobData,
    Registry.RunnerRegistry registry,
    NodeClaims claims,
    Monitoring.PortholeMetrics metrics,
    Notifications.NotificationQueue notifications) : IRunnerProtocol
{
    private static readonly TimeSpan LongPoll = RunnerHttp.LongPoll;

    /// <summary>How many queued nodes one lease looks at for one its labels cover (oldest first).</summary>
    private const int QueueWindow = 500;

    /// <summary>How many of those one claim offers, oldest first: the first still queued and not being taken is claimed.</summary>
    private const int ClaimWindow = 32;

    public Task<NodeAssignment?> LeaseAsync(string runnerName, CancellationToken cancellationToken) =>
        LeaseAsync(runnerName, LongPoll, cancellationToken);

    /// <summary>Leases a node for <paramref name="runnerName"/>, waiting up to <paramref name="wait"/> for one it can take.</summary>
    public async Task<NodeAssignment?> LeaseAsync(string runnerName, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + (wait < LongPoll ? wait : LongPoll);
        while (true)
        {
            // Take the signal before looking, so a node queued while we look still wakes us.
            var signal = work.WaitAsync(LongPoll, time, cancellationToken);
            await registry.HeardFromAsync(runnerName, cancellationToken);
            var assignment = await TryLeaseAsync(runnerName, cancellationToken);
            if (assignment is not null)
            {
                return assignment;
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            try
            {
                // An idle runner is heard from while it waits, as often as the registry records it.
                await signal.WaitAsync(left < Registry.RunnerRegistry.HeartbeatResolution ? left : Registry.RunnerRegistry.HeartbeatResolution, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                if (time.GetUtcNow() >= deadline)
                {
                    return null;
                }
            }
        }
    }

    public Task<LogAppendResult> AppendLogAsync(long nodeId, long offset, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) =>
        logs.AppendAsync(nodeId, offset, chunk, cancellationToken);

    public async Task ReportStepAsync(long nodeId, StepReport report, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var step = await db.Steps.SingleOrDefaultAsync(s => s.NodeId == nodeId && s.Index == report.Index, cancellationToken);
        if (step is null)
        {
            step = new StepRecord { NodeId = nodeId, Index = report.Index, Name = report.Name, Status = Status.Running };
            db.Steps.Add(step);
        }

        step.Name = report.Name;
        step.Status = StepStatus(report.State);
        step.ExitCode = report.ExitCode;
        step.LogStart = report.LogStart;
        step.LogEnd = report.LogEnd;
        step.Background = report.Background;
        step.StartedAt = report.StartedAt;
        step.FinishedAt = report.FinishedAt;
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task CompleteNodeAsync(long nodeId, NodeCompletion completion, CancellationToken cancellationToken)
    {
        using var held = await stateLock.EnterAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var node = await db.Nodes.SingleOrDefaultAsync(n => n.Id == nodeId, cancellationToken);
        if (node is null || Status.IsFinished(node.Status))
        {
            return;
        }

        // A node held on failure (R-BEY-1) keeps the result it was held with, whatever ended its wait.
        node.Status = node.HeldStatus ?? (node.CancelRequested ? Status.Canceled : NodeStatus(completion.Result));
        node.SshEndsAt = null;
        node.Message = completion.Message;
        node.FinishedAt = time.GetUtcNow();
        node.LeaseExpiresAt = null;
        await db.SaveChangesAsync(cancellationToken);

        // A node's sshd ends with it: a session it did not report ended (a remote runner's reports after the end are
        // refused, its lease being over) ends now.
        await db.SshSessions.Where(x => x.NodeId == nodeId && x.EndedAt == null)
            .ExecuteUpdateAsync(x => x.SetProperty(v => v.EndedAt, node.FinishedAt), cancellationToken);
        await scheduler.NodeChangedAsync(db, node.AttemptId, cancellationToken);
        logs.Wake(nodeId);
        NotifyEnded(node);
    }

    /// <summary>
    /// Ends a node whose runner is gone: a notice at the end of its log, then infrastructure_fail. <c>then</c>, when given,
    /// says what became of it (<c>"; retried as attempt 2 on another runner"</c>), at the end of the notice and the message.
    /// </summary>
    public async Task AbandonAsync(PortholeDb db, NodeRecord node, string reason, CancellationToken ct, string? then = null)
    {
        // A node held on failure (R-BEY-1) keeps its steps' result; its SSH wait ends with its runner.
        var status = node.HeldStatus ?? Status.InfrastructureFail;
        var notice = Encoding.UTF8.GetBytes($"\r\n\u001b[31mPorthole: {reason}; the node ended as {status}{then}.\u001b[0m\r\n");
        await logs.AppendAsync(node.Id, logs.Length(node.Id), notice, ct);
        node.Status = status;
        node.SshEndsAt = null;
        node.Message = reason + then;
        node.FinishedAt = time.GetUtcNow();
        node.LeaseExpiresAt = null;
        await db.Steps.Where(s => s.NodeId == node.Id && s.Status == Status.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, Status.InfrastructureFail), ct);
        await db.SaveChangesAsync(ct);
        await scheduler.NodeChangedAsync(db, node.AttemptId, ct);
        logs.Wake(node.Id);
        NotifyEnded(node);
    }

    private async Task<NodeAssignment?> TryLeaseAsync(string runnerName, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var labels = registry.LabelsOf(runnerName);
        var runnerId = registry.IdOf(runnerName);
        while (true)
        {
            // The oldest queued nodes whose jobs this runner's labels cover, and that are not kept from this runner.
            var queued = await (from n in db.Nodes
                                join j in db.Jobs on n.JobId equals j.Id
                                where n.Status == Status.Queued && (n.AvoidRunnerId == null || n.AvoidRunnerId != runnerId)
                                orderby n.Id
                                select new { n.Id, j.RunnerLabels })
                .Take(QueueWindow)
                .ToListAsync(ct);
            var candidates = queued.Where(q => RunnerLabels.Covers(labels, RunnerLabels.Parse(q.RunnerLabels))).Select(q => q.Id).Take(ClaimWindow).ToList();
            if (candidates.Count == 0)
            {
                return null;
            }

            // The claim takes the node without the state lock, so runners do not queue behind each other for it; what
            // follows a claim (the job's status, the assignment) is under the lock.
            var leaseToken = LeaseTokens.New();
            var now = time.GetUtcNow();
            var claim = new NodeClaim(runnerName, runnerId, LeaseTokens.Hash(leaseToken), now, now + options.Value.LeaseDuration);
            if (await claims.ClaimAsync(db, candidates, claim, ct) is not { } nodeId)
            {
                continue;
            }

            using var held = await stateLock.EnterAsync(ct);
            var node = await db.Nodes.SingleAsync(n => n.Id == nodeId, ct);

            // Canceled between the claim and the lock: it is no longer this runner's to run.
            if (node.Status != Status.Running || node.LeaseTokenHash != claim.LeaseTokenHash)
            {
                continue;
            }

            // A node its job's contexts refuse ends failed here, without reaching a runner; the next queued one is leased.
            if (await AssignAsync(db, node, leaseToken, ct) is var (assignment, refused) && !refused)
            {
                metrics.LeaseAnswered(time.GetElapsedTime(started));
                return assignment;
            }
        }
    }

    /// <summary>The assignment of a node just claimed; or, when its job may not use a context it names, the node failed (refused).</summary>
    private async Task<(NodeAssignment? Assignment, bool Refused)> AssignAsync(PortholeDb db, NodeRecord node, string leaseToken, CancellationToken ct)
    {
        if (node.QueuedAt is { } queuedAt && node.StartedAt is { } startedAt)
        {
            metrics.NodeLeased(startedAt - queuedAt);
        }

        await scheduler.NodeChangedAsync(db, node.AttemptId, ct);
        var attempt = await db.Attempts.SingleAsync(a => a.Id == node.AttemptId, ct);
        var job = await db.Jobs.SingleAsync(j => j.Id == node.JobId, ct);
        var workflow = await db.Workflows.SingleAsync(w => w.Id == job.WorkflowId, ct);
        var pipeline = await db.Pipelines.SingleAsync(p => p.Id == job.PipelineId, ct);
        var project = await db.Projects.SingleAsync(p => p.Id == pipeline.ProjectId, ct);
        var variables = await db.Variables.Where(v => v.ProjectId == project.Id).OrderBy(v => v.Name)
            .Select(v => new Contracts.Runners.ProjectVariable(v.Name, v.Value, v.Secret)).ToListAsync(ct);
        var plan = JsonSerializer.Deserialize<JobPlan>(job.Plan, PlanJson.Options)!;
        var contexts = await ContextGrants.DecideAsync(db, plan.Contexts, project, attempt, ct);
        if (contexts.Refusal is { } refusal)
        {
            await RefuseAsync(db, node, refusal, ct);
            return (null, true);
        }

        var secure = await SecureEnvironment.ResolveAsync(db, project.Id, pipeline.ConfigPath, plan, ct);
        var sshKeys = await ProjectSshKeys.ForJobAsync(db, project.Id, plan, ct);
        var (ssh, debug) = await SshRequestAsync(db, node, attempt, pipeline, project, ct);

        return (new NodeAssignment(
            NodeId: node.Id,
            JobId: job.Id,
            Attempt: attempt.Number,
            JobNumber: job.Number,
            WorkflowId: workflow.Id,
            WorkflowName: workflow.Name,
            PipelineId: pipeline.Id,
            PipelineNumber: pipeline.Number,
            ProjectName: project.Name,
            RepositoryUrl: project.Repository,
            CommitSha: pipeline.Commit,
            Branch: pipeline.Ref,
            NodeIndex: node.Index,
            NodeTotal: job.Parallelism,
            Dialect: pipeline.Dialect == "travis" ? ConfigDialect.Travis : ConfigDialect.CircleCi,
            Job: plan,
            // Travis exports the config's env after the repository settings' (§B12 secure values are config env).
            Variables: [.. variables, .. contexts.Variables, .. secure.Variables],
            JobTimeout: options.Value.JobTimeout,
            LogCapBytes: options.Value.LogCapBytes,
            Ssh: ssh,
            Debug: debug)
        {
            DefaultBranch = pipeline.DefaultBranch,
            Tag = pipeline.Tag,
            CommitMessage = pipeline.CommitMessage,
            EventType = pipeline.TriggerSource switch
            {
                Porthole.Pipeline.TriggerSources.Webhook => "push",
                Porthole.Pipeline.TriggerSources.Schedule => "cron",
                _ => "api",
            },
            SecureEnvVars = secure.Available(variables),
            Notices = secure.Notices,
            CacheCapBytes = jobData.CacheCapBytes,
            SshKeys = sshKeys,
            ProjectImages = await ProjectImages.ForJobAsync(db, project.Id, plan, ct),
            LeaseToken = leaseToken,
        }, false);
    }

    private static string StepStatus(StepState state) => state switch
    {
        StepState.Running => Status.Running,
        StepState.Success => Status.Success,
        StepState.Failed => Status.Failed,
        StepState.Skipped => "skipped",
        StepState.Canceled => Status.Canceled,
        StepState.TimedOut => Status.TimedOut,
        _ => Status.Failed,
    };

    private static string NodeStatus(NodeResult result) => result switch
    {
        NodeResult.Success => Status.Success,
        NodeResult.Failed => Status.Failed,
        NodeResult.Canceled => Status.Canceled,
        NodeResult.TimedOut => Status.TimedOut,
        _ => Status.InfrastructureFail,
    };
}
