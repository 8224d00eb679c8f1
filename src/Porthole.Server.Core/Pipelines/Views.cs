using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Data;
using Porthole.Server.Logs;
using Porthole.Server.Runners.Registry;
using Porthole.Ssh.Keys;
using RunnerLabels = Porthole.Contracts.Runners.RunnerLabels;

namespace Porthole.Server.Pipelines;

/// <summary>Builds the API's views of stored pipelines and jobs.</summary>
public sealed class Views(LogStore logs, TimeProvider time, Microsoft.Extensions.Options.IOptions<PortholeOptions> options)
{
    public static ProjectView Of(Project project) =>
        new(project.Name, project.Repository, project.Visibility, project.CreatedAt, project.DebugEnabled, project.SshWriteMembers, project.DebugOpenAccess, project.RetryLostNodes, project.SshPortForwarding)
        {
            HoldOnFailure = project.HoldOnFailure,
            SessionRecording = project.SessionRecording,
        };

    public async Task<PipelineView> PipelineAsync(PortholeDb db, PipelineRecord pipeline, CancellationToken ct)
    {
        var project = await db.Projects.SingleAsync(p => p.Id == pipeline.ProjectId, ct);
        var workflows = await db.Workflows.Where(w => w.PipelineId == pipeline.Id).OrderBy(w => w.Id).ToListAsync(ct);
        var jobs = await db.Jobs.Where(j => j.PipelineId == pipeline.Id).OrderBy(j => j.Id).ToListAsync(ct);
        var approvers = await ApproversAsync(db, jobs, ct);
        var held = await HeldNodesAsync(db, pipeline.Id, ct);
        return new PipelineView(
            pipeline.Id,
            project.Name,
            pipeline.Number,
            pipeline.Ref,
            pipeline.Commit,
            pipeline.Status,
            pipeline.ConfigPath,
            pipeline.CreatedAt,
            [.. workflows.Select(w => new WorkflowView(
                w.Id,
                w.Name,
                w.Status,
                [.. jobs.Where(j => j.WorkflowId == w.Id).Select(j => new JobSummary(
                    j.Id,
                    j.Name,
                    j.Status,
                    j.Parallelism,
                    JobRequires.Parse(j.Requires),
                    j.AttemptCount,
                    j.Type,
                    ApprovalRequestId(j),
                    j.ApprovedBy is { } by ? approvers.GetValueOrDefault(by) : null,
                    j.ApprovedAt,
                    j.AllowFailure,
                    j.Stage)
                {
                    Held = held.TryGetValue(j.Id, out var nodes) ? nodes : null,
                })]))],
            pipeline.Branch,
            pipeline.Tag,
            pipeline.TriggerSource,
            pipeline.ScheduleName,
            StoredList<PipelineParameter>(pipeline.Parameters),
            StoredList<OrbUse>(pipeline.Orbs));
    }

    /// <summary>The nodes of a pipeline's jobs held for SSH after a failed step and still waiting (R-BEY-1), by job.</summary>
    private static async Task<Dictionary<long, List<HeldNode>>> HeldNodesAsync(PortholeDb db, long pipelineId, CancellationToken ct)
    {
        var held = await (from n in db.Nodes
                          join j in db.Jobs on n.JobId equals j.Id
                          join a in db.Attempts on n.AttemptId equals a.Id
                          where j.PipelineId == pipelineId && n.HeldAt != null && n.Status == Status.Running
                          select new { n.JobId, a.Number, n.Index, n.SshEndsAt }).ToListAsync(ct);
        return held.GroupBy(h => h.JobId).ToDictionary(g => g.Key, g => g.Select(h => new HeldNode(h.Number, h.Index, h.SshEndsAt)).ToList());
    }

    /// <summary>A list a pipeline keeps as JSON (its parameters, its orbs); empty when it has none.</summary>
    private static IReadOnlyList<T> StoredList<T>(string? json) =>
        json is null ? [] : System.Text.Json.JsonSerializer.Deserialize<List<T>>(json, PlanJson.Options) ?? [];

    /// <summary>CircleCI's <c>approval_request_id</c> of an approval job: here the job's own id; null for other jobs.</summary>
    public static long? ApprovalRequestId(JobRecord job) => job.Type == JobType.Approval ? job.Id : null;

    /// <summary>The names of the users who approved any of <paramref name="jobs"/>, by user id.</summary>
    public static async Task<Dictionary<long, string>> ApproversAsync(PortholeDb db, IReadOnlyCollection<JobRecord> jobs, CancellationToken ct)
    {
        var ids = jobs.Where(j => j.ApprovedBy is not null).Select(j => j.ApprovedBy!.Value).Distinct().ToList();
        return ids.Count == 0 ? [] : await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
    }

    /// <summary>A node's SSH endpoint as the API shows it (R-SSH-3).</summary>
    /// <param name="openAccessToken">The debug run's open-access token, for a viewer who may write to the project; else null.</param>
    public static SshNodeView SshNode(NodeRecord node, string? openAccessToken = null) => new(
        node.Index,
        node.Status,
        node.SshHost,
        node.SshPort,
        node.SshUser,
        node.SshHostKey,
        node.SshHostKeyFingerprint,
        string.IsNullOrEmpty(node.SshAccepted) ? [] : node.SshAccepted.Split('\n'),
        node.SshPort is { } port ? $"ssh -p {port} {node.SshUser}@{node.SshHost}" : null,
        node.SshPort is { } open && openAccessToken is not null && node.SshUser is not null && node.SshHost is not null
            ? Contracts.Ssh.DebugRequest.OpenAccessCommand(openAccessToken, open, node.SshUser, node.SshHost)
            : null)
    {
        HeldAt = node.HeldAt,
        EndsAt = Status.IsFinished(node.Status) ? null : node.SshEndsAt,
        EndsBy = Status.IsFinished(node.Status) ? null : node.SshEndsBy,
        WorkingDirectory = node.SshWorkingDirectory,
        SshConfig = node is { SshPort: { } configPort, SshHost: { } host, SshUser: { } user }
            ? SshConfigHost.Render(SshConfigHost.Alias(node.JobId, node.Index), host, configPort, user, SshConfigHost.WebKnownHostsPath, identityFile: null)
            : null,
        KnownHostsLine = node is { SshPort: not null, SshHostKey: { } hostKey } ? SshConfigHost.KnownHostsLine(SshConfigHost.Alias(node.JobId, node.Index), hostKey) : null,
        VsCodeLink = node is { SshPort: not null, SshWorkingDirectory: { } folder } ? SshConfigHost.VsCodeLink(SshConfigHost.Alias(node.JobId, node.Index), folder) : null,
    };

    public async Task<JobView> JobAsync(PortholeDb db, JobRecord job, CancellationToken ct)
    {
        var workflow = await db.Workflows.SingleAsync(w => w.Id == job.WorkflowId, ct);
        var pipeline = await db.Pipelines.SingleAsync(p => p.Id == job.PipelineId, ct);
        var project = await db.Projects.SingleAsync(p => p.Id == pipeline.ProjectId, ct);
        var attempts = await db.Attempts.Where(a => a.JobId == job.Id).OrderBy(a => a.Number).ToListAsync(ct);
        var nodes = await db.Nodes.Where(n => n.JobId == job.Id).OrderBy(n => n.Index).ToListAsync(ct);
        var nodeIds = nodes.Select(n => n.Id).ToList();
        var steps = await db.Steps.Where(s => nodeIds.Contains(s.NodeId)).OrderBy(s => s.Index).ToListAsync(ct);
        IReadOnlyList<string> planSteps = attempts.Any(a => a.BreakBefore is not null) ? Ssh.StepBreakpoints.Steps(job) : [];
        return new JobView(
            job.Id,
            job.Name,
            job.Status,
            pipeline.Id,
            pipeline.Number,
            project.Name,
            workflow.Id,
            workflow.Name,
            job.Parallelism,
            JobRequires.Parse(job.Requires),
            [.. attempts.Select(a => new AttemptView(
                a.Number,
                a.Status,
                a.Reason,
                a.Ssh,
                a.CreatedAt,
                a.StartedAt,
                a.FinishedAt,
                [.. nodes.Where(n => n.AttemptId == a.Id).Select(n => new NodeView(
                    n.Index,
                    n.Status,
                    n.Message,
                    logs.Length(n.Id),
                    [.. steps.Where(s => s.NodeId == n.Id).Select(s => new StepView(
                        s.Index, s.Name, s.Status, s.ExitCode, s.LogStart, s.LogEnd, s.StartedAt, s.FinishedAt, s.Background))],
                    a.Ssh || n.HeldAt is not null ? SshNode(n) : null))])
            {
                Debug = a.Debug,
                BreakBefore = a.BreakBefore,
                BreakBeforeStep = a.BreakBefore is { } before ? planSteps.ElementAtOrDefault(before) : null,
                BreakOnFailure = a.BreakOnFailure,
            })],
            job.Type,
            ApprovalRequestId(job),
            job.ApprovedBy is { } by ? (await ApproversAsync(db, [job], ct)).GetValueOrDefault(by) : null,
            job.ApprovedAt,
            job.AllowFailure,
            job.Stage,
            RunnerLabels.Parse(job.RunnerLabels),
            await RunnerAvailability.NoRunnerAsync(db, job, nodes.Where(n => attempts.Count > 0 && n.AttemptId == attempts[^1].Id), time.GetUtcNow(), options.Value.LeaseDuration, ct));
    }
}
