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
    Monitoring.PortholeMetrics metrics) : IRunnerProtocol
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

    /// <summary>Answers a heartbeat; <see cref="HeartbeatAsync"/> times it.</summary>
    private async Task<HeartbeatReply> AnswerHeartbeatAsync(long nodeId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var node = await db.Nodes.SingleOrDefaultAsync(n => n.Id == nodeId, cancellationToken);
        if (node is null || node.Status != Status.Running)
        {
            return new HeartbeatReply(Canceled: true);
        }

        await registry.HeardFromAsync(node.RunnerName, cancellationToken);

        var expires = time.GetUtcNow() + options.Value.LeaseDuration;
        await db.Nodes.Where(n => n.Id == nodeId).ExecuteUpdateAsync(s => s.SetProperty(n => n.LeaseExpiresAt, expires), cancellationToken);
        var attempt = await db.Attempts.SingleAsync(a => a.Id == node.AttemptId, cancellationToken);
        if (!attempt.Ssh)
        {
            return new HeartbeatReply(node.CancelRequested);
        }

        // The keys accepted now: a removed key, member or setting closes its sessions within a heartbeat (R-SSH-11);
        // in a debug run, the members who may only watch are among them, read-only (R-DBG-7); so are the keys of the
        // browser terminals open on the node (R-WEB-2). The sessions an admin ended are asked again until they end.
        var project = await ProjectOfNodeAsync(db, node, cancellationToken);
        var keys = await SshAccess.GrantsAsync(db, project, attempt.RequestedBy, attempt.Debug, await webTerminals.ForAsync(db, nodeId, cancellationToken), cancellationToken);
        var ending = await db.SshSessions
            .Where(s => s.NodeId == nodeId && s.EndRequestedAt != null && s.EndedAt == null)
            .Select(s => new { s.Address, s.Port })
            .Distinct()
            .ToListAsync(cancellationToken);

        // Open access (R-DBG-7's opt-in) lasts while the project lets anyone in and the run goes on; switching it off clears
        // the run's token (ProjectSettings), so it stays off for the rest of the run even if switched on again.
        var openAccess = attempt.OpenAccessToken is not null && project.DebugEnabled && project.DebugOpenAccess && !node.CancelRequested;
        return new HeartbeatReply(node.CancelRequested, keys, [.. ending.Select(s => new SshConnectionRef(s.Address, s.Port))], openAccess)
        {
            PortForwarding = project.SshPortForwarding,
        };
    }

    public async Task ReportSshEndpointAsync(long nodeId, SshEndpointInfo endpoint, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Nodes.Where(n => n.Id == nodeId).ExecuteUpdateAsync(
            s => s.SetProperty(n => n.SshHost, endpoint.Host)
                .SetProperty(n => n.SshPort, endpoint.Port)
                .SetProperty(n => n.SshUser, endpoint.User)
                .SetProperty(n => n.SshHostKey, endpoint.HostKey)
                .SetProperty(n => n.SshHostKeyFingerprint, endpoint.HostKeyFingerprint)
                .SetProperty(n => n.SshAccepted, string.Join('\n', endpoint.AcceptedFingerprints))
                .SetProperty(n => n.SshWorkingDirectory, endpoint.WorkingDirectory),
            cancellationToken);
    }

    public async Task ReportSshEventAsync(long nodeId, SshEvent sshEvent, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var node = await db.Nodes.SingleOrDefaultAsync(n => n.Id == nodeId, cancellationToken);
        if (node is null)
        {
            return;
        }

        switch (sshEvent.Kind)
        {
            case SshEventKind.KeyAccepted or SshEventKind.KeyRefused:
                var accepted = sshEvent.Kind == SshEventKind.KeyAccepted;
                string? reason = null;
                if (!accepted)
                {
                    var attempt = await db.Attempts.SingleAsync(a => a.Id == node.AttemptId, cancellationToken);
                    var project = await ProjectOfNodeAsync(db, node, cancellationToken);
                    reason = await SshAccess.RefusalReasonAsync(db, project, attempt.RequestedBy, attempt.Debug, sshEvent.Fingerprint, cancellationToken);
                }

                var owner = sshEvent.UserName;
                if (owner is null && sshEvent.Fingerprint is { } fingerprint)
                {
                    owner = await (from k in db.SshKeys join u in db.Users on k.UserId equals u.Id where k.Fingerprint == fingerprint select u.Name)
                        .SingleOrDefaultAsync(cancellationToken);
                }

                db.SshKeyEvents.Add(new SshKeyEventRecord
                {
                    NodeId = nodeId,
                    At = sshEvent.At,
                    Accepted = accepted,
                    Fingerprint = sshEvent.Fingerprint,
                    KeyType = sshEvent.KeyType,
                    Address = sshEvent.Address,
                    Port = sshEvent.Port,
                    UserName = owner,
                    Reason = reason,
                });
                break;
            case SshEventKind.SessionStarted:
                db.SshSessions.Add(new SshSessionRecord
                {
                    NodeId = nodeId,
                    Address = sshEvent.Address,
                    Port = sshEvent.Port,
                    UserName = sshEvent.UserName,
                    Fingerprint = sshEvent.Fingerprint,
                    Command = sshEvent.Command,
                    Via = sshEvent.Via == SshVia.Web ? SshVia.Web : SshVia.Ssh,
                    ReadOnly = sshEvent.ReadOnly,
                    StartedAt = sshEvent.At,
                });
                break;
            case SshEventKind.SessionEnded:
                var session = await db.SshSessions
                    .Where(x => x.NodeId == nodeId && x.Address == sshEvent.Address && x.Port == sshEvent.Port && x.EndedAt == null)
                    .OrderByDescending(x => x.Id)
                    .FirstOrDefaultAsync(cancellationToken);
                if (session is not null)
                {
                    session.EndedAt = sshEvent.At;
                }

                break;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static async Task<Porthole.Data.Project> ProjectOfNodeAsync(PortholeDb db, NodeRecord node, CancellationToken ct) =>
        await (from j in db.Jobs
               join p in db.Pipelines on j.PipelineId equals p.Id
               join project in db.Projects on p.ProjectId equals project.Id
               where j.Id == node.JobId
               select project).SingleAsync(ct);

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

        node.Status = node.CancelRequested ? Status.Canceled : NodeStatus(completion.Result);
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
    }

    /// <summary>
    /// Ends a node whose runner is gone: a notice at the end of its log, then infrastructure_fail. <c>then</c>, when given,
    /// says what became of it (<c>"; retried as attempt 2 on another runner"</c>), at the end of the notice and the message.
    /// </summary>
    public async Task AbandonAsync(PortholeDb db, NodeRecord node, string reason, CancellationToken ct, string? then = null)
    {
        var notice = Encoding.UTF8.GetBytes($"\r\n\u001b[31mPorthole: {reason}; the node ended as infrastructure_fail{then}.\u001b[0m\r\n");
        await logs.AppendAsync(node.Id, logs.Length(node.Id), notice, ct);
        node.Status = Status.InfrastructureFail;
        node.Message = reason + then;
        node.FinishedAt = time.GetUtcNow();
        node.LeaseExpiresAt = null;
        await db.Steps.Where(s => s.NodeId == node.Id && s.Status == Status.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, Status.InfrastructureFail), ct);
        await db.SaveChangesAsync(ct);
        await scheduler.NodeChangedAsync(db, node.AttemptId, ct);
        logs.Wake(node.Id);
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
        SshRequest? ssh = null;
        DebugRequest? debug = null;
        if (attempt.Ssh)
        {
            var requester = await db.Users.Where(u => u.Id == attempt.RequestedBy).Select(u => u.Name).SingleAsync(ct);
            ssh = new SshRequest(
                requester,
                await SshAccess.GrantsAsync(db, project, attempt.RequestedBy, attempt.Debug, await webTerminals.ForAsync(db, node.Id, ct), ct),
                options.Value.SshFirstConnectionTimeout,
                options.Value.SshMaxSessionTime)
            {
                PortForwarding = project.SshPortForwarding,
            };
            debug = attempt.Debug ? new DebugRequest(requester, attempt.Quiet, options.Value.DebugSessionTimeout, attempt.OpenAccessToken) : null;
        }

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
