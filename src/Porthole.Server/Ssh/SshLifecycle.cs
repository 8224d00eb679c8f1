using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Ssh;
using Porthole.Data;
using Porthole.Server.Api;

namespace Porthole.Server.Ssh;

/// <summary>
/// A node's SSH lifecycle from outside (R-BEY-4), for a caller known to be a writer of the job's project: extend its wait,
/// or a debug session's time limit (up to the cap), or release it. The API (<see cref="SshLifecycleApi"/>) and the SSH
/// panel's buttons share it; the node takes the request at its next heartbeat.
/// </summary>
public static class SshLifecycle
{
    /// <summary>Asks node <paramref name="node"/> of the job's latest attempt with SSH to stay <paramref name="duration"/> longer.</summary>
    public static async Task<(NodeRecord? Node, Refusal? Refusal)> ExtendAsync(PortholeDb db, JobRecord job, string node, string? duration, TimeSpan cap, CancellationToken ct)
    {
        var (record, debug, refusal) = await LiveNodeAsync(db, job, node, "extend", ct);
        if (record is null)
        {
            return (null, refusal);
        }

        if (SshDuration.Parse(duration, out var error) is not { } by)
        {
            return (null, Refusal.BadRequest(ErrorCodes.InvalidRequest, error!));
        }

        // The cap counts from the first connection (a debug session's from its start, before that): the node checks it
        // again when it takes the extension.
        var first = await db.SshSessions.Where(s => s.NodeId == record.Id).MinAsync(s => (DateTimeOffset?)s.StartedAt, ct);
        var pending = record.ExtendRequested ?? TimeSpan.Zero;
        if (by + pending > cap || (first is { } since && record.SshEndsAt is { } ends && record.SshEndsBy == SshWindowEnd.SessionCap && ends + pending + by - since > cap))
        {
            var room = first is { } f && record.SshEndsAt is { } e ? cap - (e + pending - f) : cap - pending;
            return (null, Refusal.Conflict(ErrorCodes.InvalidRequest,
                $"{SshDuration.Format(by)} is past this node's cap of {SshDuration.Format(cap)} after {(debug ? "the debug session's start" : "the first connection")}: at most {SshDuration.Format(room < TimeSpan.Zero ? TimeSpan.Zero : room)} more."));
        }

        record.ExtendRequested = pending + by;
        await db.SaveChangesAsync(ct);
        return (record, null);
    }

    /// <summary>Asks node <paramref name="node"/> of the job's latest attempt with SSH to end now.</summary>
    public static async Task<(NodeRecord? Node, Refusal? Refusal)> ReleaseAsync(PortholeDb db, JobRecord job, string node, CancellationToken ct)
    {
        var (record, _, refusal) = await LiveNodeAsync(db, job, node, "release", ct);
        if (record is null)
        {
            return (null, refusal);
        }

        record.ReleaseRequested = true;
        await db.SaveChangesAsync(ct);
        return (record, null);
    }

    /// <summary>
    /// Node <paramref name="node"/> of the job's latest attempt with SSH, still waiting for SSH or in its debug session (and
    /// whether it is that); or the refusal (400, 404, 409).
    /// </summary>
    private static async Task<(NodeRecord? Node, bool Debug, Refusal? Refusal)> LiveNodeAsync(PortholeDb db, JobRecord job, string node, string action, CancellationToken ct)
    {
        if (!int.TryParse(node, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return (null, false, Refusal.BadRequest(ErrorCodes.InvalidRequest, $"'{Lookups.Shorten(node)}' is not a node index: nodes are numbered from 0."));
        }

        var attempt = await SshAttempts.Of(db, job.Id).OrderByDescending(a => a.Number).FirstOrDefaultAsync(ct);
        if (attempt is null)
        {
            return (null, false, Refusal.NotFound(ErrorCodes.NotSshAttempt,
                $"Job {job.Id} has no node with SSH: rerun it with SSH (porthole rerun {job.Id} --ssh), debug it, or trigger with hold_on_failure."));
        }

        var record = await db.Nodes.SingleOrDefaultAsync(n => n.AttemptId == attempt.Id && n.Index == index, ct);
        if (record is null)
        {
            return (null, false, Refusal.NotFound(ErrorCodes.NodeNotFound, $"Attempt {attempt.Number} of job {job.Id} has no node {index}."));
        }

        if (Status.IsFinished(record.Status) || (!attempt.Ssh && record.HeldAt is null))
        {
            return (null, false, Refusal.Conflict(ErrorCodes.SshEndpointUnavailable,
                $"Node {index} of job {job.Id} does not wait for SSH ({record.Status}): there is nothing to {action}."));
        }

        return (record, attempt.Debug, null);
    }
}
