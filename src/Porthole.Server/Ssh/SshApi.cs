using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Ssh;

/// <summary>
/// A job's SSH endpoints, every key offered to them with its verdict, and the sessions (R-SSH-3, -4, -10); an admin
/// ends a session (R-DBG-7).
/// </summary>
public static class SshApi
{
    public static void MapSshApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/jobs/{id}/ssh", GetAsync).RequireAuthorization().WithTags("SSH");
        app.MapPost("/api/jobs/{id}/ssh/sessions/{sessionId}/end", EndAsync).RequireAuthorization().WithTags("SSH");
    }

    private static async Task<Results<Ok<JobSshView>, ProblemHttpResult>> GetAsync(
        string id, HttpContext http, PortholeDb db, CancellationToken ct, int? attempt = null)
    {
        var user = CurrentUser.From(http.User);
        var (job, project, problem) = await Lookups.JobAsync(db, id, user, Roles.Read, "see its SSH details", ct);
        if (job is null)
        {
            return problem!;
        }

        var attempts = SshAttempts.Of(db, job.Id);
        var record = attempt is { } number
            ? await attempts.SingleOrDefaultAsync(a => a.Number == number, ct)
            : await attempts.OrderByDescending(a => a.Number).FirstOrDefaultAsync(ct);
        if (record is null)
        {
            return Problems.NotFound(ErrorCodes.NotSshAttempt, attempt is null
                ? $"Job {job.Id} has not been rerun with SSH: porthole rerun {job.Id} --ssh"
                : $"Attempt {attempt} of job {job.Id} is not an SSH attempt.");
        }

        return TypedResults.Ok(await ViewAsync(db, job, project!, record, user, ct));
    }

    /// <summary>The SSH view of one SSH attempt of <paramref name="job"/>: the API's answer, and what the job page's SSH panel shows.</summary>
    internal static async Task<JobSshView> ViewAsync(PortholeDb db, JobRecord job, Project project, AttemptRecord record, CurrentUser user, CancellationToken ct)
    {
        // The open command lets anyone in: only those who could debug the job themselves see it (R-DBG-7).
        var openAccessToken = record.OpenAccessToken is not null && await ProjectAccess.CanAsync(db, project, user, Roles.Write, ct)
            ? record.OpenAccessToken
            : null;
        var nodes = await db.Nodes.Where(n => n.AttemptId == record.Id).OrderBy(n => n.Index).ToListAsync(ct);
        var indexes = nodes.ToDictionary(n => n.Id, n => n.Index);
        var nodeIds = indexes.Keys.ToList();
        var events = await db.SshKeyEvents.Where(e => nodeIds.Contains(e.NodeId)).OrderBy(e => e.Id).ToListAsync(ct);
        var sessions = await db.SshSessions.Where(s => nodeIds.Contains(s.NodeId)).OrderBy(s => s.Id).ToListAsync(ct);
        var requester = await db.Users.Where(u => u.Id == record.RequestedBy).Select(u => u.Name).SingleOrDefaultAsync(ct) ?? "?";
        return new JobSshView(
            job.Id,
            record.Number,
            requester,
            [.. nodes.Select(n => Views.SshNode(n, openAccessToken))],
            [.. events.Select(e => new SshKeyEventView(e.At, indexes[e.NodeId], e.Accepted, e.Fingerprint, e.KeyType, e.Address, e.UserName, e.Reason))],
            [.. sessions.Select(s => SessionView(s, indexes[s.NodeId]))],
            record.Debug,
            record.Quiet);
    }

    /// <summary>
    /// Ends one live session (R-DBG-7: an admin may end any session): the node closes its connection at its next
    /// heartbeat, as it closes a revoked key's, and reports it ended. Needs the project's admin role (or a server admin).
    /// </summary>
    private static async Task<Results<Accepted<SshSessionView>, ProblemHttpResult>> EndAsync(
        string id, string sessionId, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (job, _, problem) = await Lookups.JobAsync(db, id, user, Roles.Admin, "end an SSH session", ct);
        if (job is null)
        {
            return problem!;
        }

        var (ended, refusal) = await EndSessionAsync(db, job, sessionId, user, time, ct);
        return ended is null ? refusal!.ToProblem() : TypedResults.Accepted($"/api/jobs/{job.Id}/ssh", ended);
    }

    /// <summary>Asks the node to end one live session of <paramref name="job"/>, for a caller known to be its project's admin (the API's and the SSH panel's End session).</summary>
    internal static async Task<(SshSessionView? Session, Refusal? Refusal)> EndSessionAsync(
        PortholeDb db, JobRecord job, string sessionId, CurrentUser user, TimeProvider time, CancellationToken ct)
    {
        if (!Ids.TryParse(sessionId, out var number))
        {
            return (null, Refusal.BadRequest(ErrorCodes.InvalidRequest, $"'{Lookups.Shorten(sessionId)}' is not a session id: ids are positive whole numbers (see GET /api/jobs/{job.Id}/ssh)."));
        }

        var found = await (from s in db.SshSessions
                           join n in db.Nodes on s.NodeId equals n.Id
                           where s.Id == number && n.JobId == job.Id
                           select new { Session = s, Node = n }).SingleOrDefaultAsync(ct);
        if (found is null)
        {
            return (null, Refusal.NotFound(ErrorCodes.SshSessionNotFound, $"Job {job.Id} has no SSH session {number}; its sessions are listed by GET /api/jobs/{job.Id}/ssh."));
        }

        var session = found.Session;
        if (session.EndedAt is not null || Status.IsFinished(found.Node.Status))
        {
            return (null, Refusal.Conflict(ErrorCodes.SshSessionEnded, $"SSH session {number} of job {job.Id} has ended already; there is nothing to end."));
        }

        if (session.EndRequestedAt is null)
        {
            session.EndRequestedAt = time.GetUtcNow();
            session.EndRequestedBy = user.Name;
            await db.SaveChangesAsync(ct);
        }

        return (SessionView(session, found.Node.Index), null);
    }

    private static SshSessionView SessionView(SshSessionRecord s, int node) =>
        new(node, s.UserName, s.Fingerprint, s.Address, s.StartedAt, s.EndedAt, s.Command, s.Id, s.Via, s.ReadOnly, s.EndRequestedBy);
}
