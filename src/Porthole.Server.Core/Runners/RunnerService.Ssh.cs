using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Data;
using Porthole.Server.Notifications;
using Porthole.Server.Ssh;

namespace Porthole.Server.Runners;

/// <summary>
/// The runner protocol's SSH side: heartbeats of SSH nodes (the keys accepted now, sessions to end, extensions and
/// releases), the endpoint and its events, a node held on failure (R-BEY-1) and its SSH window (R-BEY-4).
/// </summary>
public sealed partial class RunnerService
{
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
        if (!attempt.Ssh && node.HeldAt is null)
        {
            return new HeartbeatReply(node.CancelRequested);
        }

        // The keys accepted now: a removed key, member or setting closes its sessions within a heartbeat (R-SSH-11);
        // in a debug run, the members who may only watch are among them, read-only (R-DBG-7); so are the keys of the
        // browser terminals open on the node (R-WEB-2). The sessions an admin ended are asked again until they end.
        var project = await ProjectOfNodeAsync(db, node, cancellationToken);
        var keys = await SshAccess.GrantsAsync(db, project, attempt, await webTerminals.ForAsync(db, nodeId, cancellationToken), cancellationToken);
        var ending = await db.SshSessions
            .Where(s => s.NodeId == nodeId && s.EndRequestedAt != null && s.EndedAt == null)
            .Select(s => new { s.Address, s.Port })
            .Distinct()
            .ToListAsync(cancellationToken);

        // Open access (R-DBG-7's opt-in) lasts while the project lets anyone in and the run goes on; switching it off clears
        // the run's token (ProjectSettings), so it stays off for the rest of the run even if switched on again.
        var openAccess = attempt.OpenAccessToken is not null && project.DebugEnabled && project.DebugOpenAccess && !node.CancelRequested;

        // An extension or a release a writer asked for (R-BEY-4) is handed over once: the node reports its new window.
        var extend = node.ExtendRequested;
        var release = node.ReleaseRequested;
        if (extend is not null || release)
        {
            await db.Nodes.Where(n => n.Id == nodeId).ExecuteUpdateAsync(
                s => s.SetProperty(n => n.ExtendRequested, (TimeSpan?)null).SetProperty(n => n.ReleaseRequested, false), cancellationToken);
        }

        return new HeartbeatReply(node.CancelRequested, keys, [.. ending.Select(s => new SshConnectionRef(s.Address, s.Port))], openAccess)
        {
            Extend = extend,
            Release = release,
            PortForwarding = project.SshPortForwarding,
        };
    }

    public async Task ReportSshEndpointAsync(long nodeId, SshEndpointInfo endpoint, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var first = await db.Nodes.AnyAsync(n => n.Id == nodeId && n.SshPort == null, cancellationToken);
        await db.Nodes.Where(n => n.Id == nodeId).ExecuteUpdateAsync(
            s => s.SetProperty(n => n.SshHost, endpoint.Host)
                .SetProperty(n => n.SshPort, endpoint.Port)
                .SetProperty(n => n.SshUser, endpoint.User)
                .SetProperty(n => n.SshHostKey, endpoint.HostKey)
                .SetProperty(n => n.SshHostKeyFingerprint, endpoint.HostKeyFingerprint)
                .SetProperty(n => n.SshAccepted, string.Join('\n', endpoint.AcceptedFingerprints))
                .SetProperty(n => n.SshWorkingDirectory, endpoint.WorkingDirectory),
            cancellationToken);

        // The node is ready for SSH: its project's webhook hears it once, however often the endpoint is reported.
        if (first)
        {
            notifications.Post(new NodeNotice(nodeId, NotificationEvents.Ready, time.GetUtcNow()));
        }
    }

    /// <summary>
    /// A node that was held or had its sshd up ended: its project's webhook hears it (whether the node had SSH at all,
    /// and whether the project has a webhook, is looked at when it is sent, off this call).
    /// </summary>
    private void NotifyEnded(NodeRecord node)
    {
        if (node.HeldAt is not null || node.SshPort is not null)
        {
            notifications.Post(new NodeNotice(node.Id, NotificationEvents.Ended, node.FinishedAt ?? time.GetUtcNow()));
        }
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
                    reason = await SshAccess.RefusalReasonAsync(db, project, attempt, sshEvent.Fingerprint, cancellationToken);
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

    public async Task HoldNodeAsync(long nodeId, NodeCompletion held, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(held);
        if (held.Result is not (NodeResult.Failed or NodeResult.TimedOut))
        {
            throw new ArgumentException($"A node is held only when a step failed or timed out, not when it ended {held.Result}.", nameof(held));
        }

        using var locked = await stateLock.EnterAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var node = await db.Nodes.SingleOrDefaultAsync(n => n.Id == nodeId, cancellationToken);
        if (node is null || node.Status != Status.Running || node.HeldAt is not null)
        {
            return;
        }

        node.HeldAt = time.GetUtcNow();
        node.HeldStatus = NodeStatus(held.Result);
        node.Message = held.Message;
        await db.SaveChangesAsync(cancellationToken);

        // The job's status is the steps' from now on (failed), and its dependents are not run; the node goes on for SSH.
        await scheduler.NodeChangedAsync(db, node.AttemptId, cancellationToken);
        logs.Wake(nodeId);
    }

    public async Task ReportSshWindowAsync(long nodeId, SshWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Nodes.Where(n => n.Id == nodeId && n.Status == Status.Running).ExecuteUpdateAsync(
            s => s.SetProperty(n => n.SshEndsAt, window.EndsAt).SetProperty(n => n.SshEndsBy, window.EndsAt == null ? null : window.EndsBy),
            cancellationToken);
    }

    /// <summary>
    /// What a node asked for with SSH is given at its lease: an SSH rerun's or a debug run's requester, keys and rules; or,
    /// for an attempt of the job itself where the pipeline or the project asks to hold a failed node (R-BEY-1), the same
    /// for the triggerer (or who reran the job), to be used only if a step fails.
    /// </summary>
    private async Task<(SshRequest? Ssh, DebugRequest? Debug)> SshRequestAsync(
        PortholeDb db, NodeRecord node, AttemptRecord attempt, PipelineRecord pipeline, Project project, CancellationToken ct)
    {
        var hold = !attempt.Ssh && project.DebugEnabled && (pipeline.HoldOnFailure || project.HoldOnFailure != HoldOnFailureModes.Off);
        if (!attempt.Ssh && !hold)
        {
            return (null, null);
        }

        var requester = await db.Users.Where(u => u.Id == attempt.RequestedBy).Select(u => u.Name).SingleAsync(ct);
        var settings = options.Value;
        var ssh = new SshRequest(
            requester,
            await SshAccess.GrantsAsync(db, project, attempt, await webTerminals.ForAsync(db, node.Id, ct), ct),
            settings.SshFirstConnectionTimeout,
            settings.SshMaxSessionTime)
        {
            HoldOnFailure = hold,
            GracePeriod = settings.SshGracePeriod,
            ExtendCap = settings.SshExtendCap,
            PortForwarding = project.SshPortForwarding,
            Record = project.SessionRecording,
        };
        var debug = attempt.Debug
            ? new DebugRequest(requester, attempt.Quiet, settings.DebugSessionTimeout, attempt.OpenAccessToken) { BreakBefore = attempt.BreakBefore, BreakOnFailure = attempt.BreakOnFailure }
            : null;
        return (ssh, debug);
    }
}
