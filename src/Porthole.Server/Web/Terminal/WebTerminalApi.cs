using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Ssh;

namespace Porthole.Server.Web.Terminal;

/// <summary>
/// <c>GET /web/jobs/{id}/terminal?node=N</c> (optional <c>attempt</c>, <c>cols</c>, <c>rows</c>): a WebSocket onto a
/// node's SSH endpoint for the signed-in user, as an ssh client of theirs would join it (R-WEB-2): the same rules decide
/// who may type and who may only watch, the session is audited as theirs, marked <c>web</c>. Binary frames carry the
/// terminal's bytes both ways; text frames from the browser are control messages (<see cref="TerminalControl"/>); when
/// the session ends the server closes the WebSocket with a reason. What keeps a request out is answered before the
/// upgrade, as ProblemDetails.
/// </summary>
public static class WebTerminalApi
{
    public const string Route = "/web/jobs/{id}/terminal";

    /// <summary>How many browser terminals one user may have open at once.</summary>
    public const int MaxTerminalsPerUser = 8;

    /// <summary>The browser terminal's WebSocket endpoint; needs <see cref="WebTerminalServiceCollectionExtensions.AddWebTerminal"/>.</summary>
    public static IEndpointConventionBuilder MapWebTerminal(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var pipeline = app.CreateApplicationBuilder();
        pipeline.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        pipeline.Run(HandleAsync);
        return app.MapMethods(Route, [HttpMethods.Get], pipeline.Build())
            .RequireAuthorization()
            .ExcludeFromDescription();
    }

    private static async Task HandleAsync(HttpContext http)
    {
        var lifetime = http.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var (plan, problem) = await PlanAsync(http, stopping.Token);
        if (plan is null)
        {
            await problem!.ExecuteAsync(http);
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        await http.RequestServices.GetRequiredService<WebTerminals>().RunAsync(socket, plan, stopping.Token);
    }

    /// <summary>Decides whether and how the signed-in user joins the node; the problem says why not.</summary>
    private static async Task<(TerminalPlan? Plan, ProblemHttpResult? Problem)> PlanAsync(HttpContext http, CancellationToken ct)
    {
        // A page of another site must not open a terminal with the user's cookie (cross-site WebSocket hijacking).
        if (!IsSameOrigin(http.Request))
        {
            return (null, Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.OriginRefused,
                "A terminal opens only from a page of this server: the request's Origin is another site's."));
        }

        var query = http.Request.Query;
        if (!TryReadNumber(query["node"], 0, out var nodeIndex)
            || !TryReadNumber(query["cols"], TerminalSize.Default.Columns, out var columns)
            || !TryReadNumber(query["rows"], TerminalSize.Default.Rows, out var rows)
            || !TryReadNumber(query["attempt"], 0, out var attemptNumber))
        {
            return (null, Problems.BadRequest(ErrorCodes.InvalidRequest, "node, attempt, cols and rows are whole numbers: ?node=0&cols=80&rows=24."));
        }

        var user = CurrentUser.From(http.User);
        var id = http.GetRouteValue("id") as string ?? string.Empty;
        var db = http.RequestServices.GetRequiredService<PortholeDb>();
        var (job, project, problem) = await Lookups.JobAsync(db, id, user, Roles.Read, "open a terminal on it", ct);
        if (job is null)
        {
            return (null, problem);
        }

        var attempts = SshAttempts.Of(db, job.Id);
        var attempt = attemptNumber > 0
            ? await attempts.SingleOrDefaultAsync(a => a.Number == attemptNumber, ct)
            : await attempts.OrderByDescending(a => a.Number).FirstOrDefaultAsync(ct);
        if (attempt is null)
        {
            return (null, Problems.NotFound(ErrorCodes.NotSshAttempt, attemptNumber > 0
                ? $"Attempt {attemptNumber} of job {job.Id} is not an SSH attempt: a terminal joins a node of a rerun with SSH or of a debug run."
                : $"Job {job.Id} has not been rerun with SSH or debugged, so there is no node to open a terminal on: porthole rerun {job.Id} --ssh, or porthole debug {job.Id}."));
        }

        var node = await db.Nodes.SingleOrDefaultAsync(n => n.AttemptId == attempt.Id && n.Index == nodeIndex, ct);
        if (node is null)
        {
            return (null, Problems.NotFound(ErrorCodes.NodeNotFound, $"Attempt {attempt.Number} of job {job.Id} has no node {nodeIndex}."));
        }

        if (Status.IsFinished(node.Status))
        {
            return (null, Problems.Conflict(ErrorCodes.SshEndpointUnavailable,
                $"Node {nodeIndex} of job {job.Id} has ended ({node.Status}), and its SSH endpoint with it: rerun the job with SSH or debug it for a new one."));
        }

        if (node.SshPort is not { } port || node.SshHost is not { } host || node.SshUser is not { } account || node.SshHostKey is not { } hostKey)
        {
            return (null, Problems.Conflict(ErrorCodes.SshEndpointUnavailable,
                $"Node {nodeIndex} of job {job.Id} has no SSH endpoint yet ({node.Status}): open the terminal once its Enable SSH section has run."));
        }

        var userRecord = await db.Users.SingleAsync(u => u.Id == user.Id, ct);
        var level = await SshAccess.LevelOfAsync(db, project!, attempt, userRecord, ct);
        if (level == SshAccessLevel.None)
        {
            var requester = await db.Users.Where(u => u.Id == attempt.RequestedBy).Select(u => u.Name).SingleOrDefaultAsync(ct) ?? "?";
            return (null, Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.SshNotAllowed, WhyNot(project!, attempt.Debug, requester)));
        }

        // Each terminal costs a key, an ssh client, a pty and a grant in every heartbeat of its node: a few per user.
        if (await http.RequestServices.GetRequiredService<WebTerminalGrants>().CountOfAsync(db, user.Id, ct) >= MaxTerminalsPerUser)
        {
            return (null, Problems.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.TooManyTerminals, string.Create(
                CultureInfo.InvariantCulture,
                $"You have {MaxTerminalsPerUser} browser terminals open already: close one (or its page) first, or use ssh.")));
        }

        if (!http.WebSockets.IsWebSocketRequest)
        {
            return (null, Problems.BadRequest(ErrorCodes.WebSocketRequired,
                "This is the job page's terminal: connect with a WebSocket (binary frames carry the terminal, text frames {\"type\":\"resize\",\"cols\":C,\"rows\":R})."));
        }

        var readOnly = level == SshAccessLevel.ReadOnly;
        return (new TerminalPlan(
            node.Id,
            user.Id,
            user.Name,
            readOnly,
            Watch: readOnly && attempt.Debug,
            new TerminalTarget(host, port, account),
            hostKey,
            TerminalSize.Clamped(columns, rows)), null);
    }

    /// <summary>Why a user whose level is <see cref="SshAccessLevel.None"/> opens no terminal (the job page says it in the node's terminal slot).</summary>
    internal static string WhyNot(Project project, bool debug, string requester)
    {
        if (!project.DebugEnabled)
        {
            return $"SSH is switched off for project {project.Name} (debug_enabled is off), so no terminal opens on its nodes.";
        }

        if (debug)
        {
            return $"Only the members of project {project.Name} may join this debug session ({requester} started it): ask a project admin to add you.";
        }

        return project.SshWriteMembers
            ? $"Only {requester}, who asked for this SSH rerun, and the write members of project {project.Name} may enter its nodes."
            : $"Only {requester}, who asked for this SSH rerun, may enter its nodes: project {project.Name} does not let its other members in.";
    }

    /// <summary>No Origin (not a browser), or the request's own scheme, host and port.</summary>
    private static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin;
        if (origin.Count == 0)
        {
            return true;
        }

        var own = $"{request.Scheme}://{request.Host.Value}";
        return origin.Count == 1 && string.Equals(origin[0], own, StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryReadNumber(Microsoft.Extensions.Primitives.StringValues value, int fallback, out int number)
    {
        if (value.Count == 0 || string.IsNullOrEmpty(value[0]))
        {
            number = fallback;
            return true;
        }

        return int.TryParse(value[0], NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }
}
