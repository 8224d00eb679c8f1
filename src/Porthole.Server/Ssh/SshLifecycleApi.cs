using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Contracts.Ssh;
using Porthole.Data;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Ssh;

/// <summary>
/// A node's SSH lifecycle from outside (R-BEY-4): <c>POST /api/jobs/{id}/nodes/{n}/extend</c> (<c>{"duration": "30m"}</c>,
/// up to the cap) and <c>/release</c> (end it now), for the project's writers. The node takes them at its next heartbeat.
/// </summary>
public static class SshLifecycleApi
{
    public static void MapSshLifecycleApi(this IEndpointRouteBuilder app)
    {
        var nodes = app.MapGroup("/api/jobs/{id}/nodes/{node}").RequireAuthorization().WithTags("SSH");
        nodes.MapPost("/extend", ExtendAsync);
        nodes.MapPost("/release", ReleaseAsync);
    }

    private static async Task<Results<Accepted<SshNodeView>, ProblemHttpResult>> ExtendAsync(
        string id, string node, ExtendRequest? request, HttpContext http, PortholeDb db, IOptions<PortholeOptions> options, CancellationToken ct)
    {
        var (record, problem) = await LiveNodeAsync(id, node, http, db, "extend its SSH wait", ct);
        if (record is null)
        {
            return problem!;
        }

        if (SshDuration.Parse(request?.Duration, out var error) is not { } by)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, error!);
        }

        // The cap counts from the first connection; the node checks it again when it takes the extension.
        var cap = options.Value.SshExtendCap;
        var first = await db.SshSessions.Where(s => s.NodeId == record.Id).MinAsync(s => (DateTimeOffset?)s.StartedAt, ct);
        if (by > cap || (first is { } since && record.SshEndsAt is { } ends && record.SshEndsBy == SshWindowEnd.SessionCap && ends + by - since > cap))
        {
            var room = first is { } f && record.SshEndsAt is { } e ? cap - (e - f) : cap;
            return Problems.Conflict(ErrorCodes.InvalidRequest,
                $"{Web.Components.DurationText.Format(by)} is past this node's cap of {Web.Components.DurationText.Format(cap)} after the first connection: at most {Web.Components.DurationText.Format(room < TimeSpan.Zero ? TimeSpan.Zero : room)} more.");
        }

        record.ExtendRequested = (record.ExtendRequested ?? TimeSpan.Zero) + by;
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted((string?)null, Views.SshNode(record));
    }

    private static async Task<Results<Accepted<SshNodeView>, ProblemHttpResult>> ReleaseAsync(
        string id, string node, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (record, problem) = await LiveNodeAsync(id, node, http, db, "release it", ct);
        if (record is null)
        {
            return problem!;
        }

        record.ReleaseRequested = true;
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted((string?)null, Views.SshNode(record));
    }

    /// <summary>Node <paramref name="node"/> of the job's latest attempt with SSH, still running; or the refusal (404, 409, 403).</summary>
    private static async Task<(NodeRecord? Node, ProblemHttpResult? Problem)> LiveNodeAsync(
        string id, string node, HttpContext http, PortholeDb db, string what, CancellationToken ct)
    {
        var (job, _, problem) = await Lookups.JobAsync(db, id, CurrentUser.From(http.User), Roles.Write, what, ct);
        if (job is null)
        {
            return (null, problem);
        }

        if (!int.TryParse(node, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return (null, Problems.BadRequest(ErrorCodes.InvalidRequest, $"'{Lookups.Shorten(node)}' is not a node index: nodes are numbered from 0."));
        }

        var attempt = await SshAttempts.Of(db, job.Id).OrderByDescending(a => a.Number).FirstOrDefaultAsync(ct);
        if (attempt is null)
        {
            return (null, Problems.NotFound(ErrorCodes.NotSshAttempt,
                $"Job {job.Id} has no node with SSH: rerun it with SSH (porthole rerun {job.Id} --ssh), debug it, or trigger with hold_on_failure."));
        }

        var record = await db.Nodes.SingleOrDefaultAsync(n => n.AttemptId == attempt.Id && n.Index == index, ct);
        if (record is null)
        {
            return (null, Problems.NotFound(ErrorCodes.NodeNotFound, $"Attempt {attempt.Number} of job {job.Id} has no node {index}."));
        }

        if (Status.IsFinished(record.Status) || (!attempt.Ssh && record.HeldAt is null))
        {
            return (null, Problems.Conflict(ErrorCodes.SshEndpointUnavailable,
                $"Node {index} of job {job.Id} does not wait for SSH ({record.Status}): there is nothing to {(what.StartsWith("release", StringComparison.Ordinal) ? "release" : "extend")}."));
        }

        return (record, null);
    }
}
