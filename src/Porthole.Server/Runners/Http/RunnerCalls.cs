using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Runners.Registry;

namespace Porthole.Server.Runners.Http;

/// <summary>The runner a call comes from: its token and, once registered, its record and the name it leases with.</summary>
public sealed record RunnerCaller(RunnerTokenRecord Token, RunnerRecord? Runner)
{
    /// <summary>A remote runner's name is its token's.</summary>
    public string Name => Token.Name;
}

/// <summary>
/// Who may make a runner protocol call over HTTP (issue 14): the runner token in <c>Authorization</c> (never a personal
/// token), and for a call about a node, the node's current lease (<see cref="RunnerHttp.LeaseHeader"/>) held by that
/// runner. Every refusal is a ProblemDetails saying why, and never repeats a token.
/// </summary>
public static class RunnerCalls
{
    public const string BadToken = "runner_token_refused";
    public const string NotRegistered = "runner_not_registered";
    public const string NotHeld = "node_not_held";
    public const string StaleLease = "lease_not_current";

    /// <summary>The calling runner, or the 401 that refuses its token.</summary>
    public static async Task<(RunnerCaller? Caller, ProblemHttpResult? Problem)> CallerAsync(HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        if (string.IsNullOrEmpty(presented))
        {
            return (null, Unauthorized("The runner endpoints need a runner token: Authorization: Bearer prt_… (porthole runner-token create NAME)."));
        }

        if (!presented.StartsWith(RunnerTokens.Prefix, StringComparison.Ordinal))
        {
            return (null, Unauthorized("This is not a runner token: the runner endpoints take a runner token (prt_…), never a personal one."));
        }

        var tokens = http.RequestServices.GetRequiredService<RunnerTokenCache>();
        if (await tokens.FindAsync(db, presented, ct) is not var (token, runner))
        {
            return (null, Unauthorized("The runner token is unknown or revoked."));
        }

        return (new RunnerCaller(token, runner), null);
    }

    /// <summary>
    /// The node <paramref name="nodeId"/> when <paramref name="caller"/> holds its current lease, presented in the
    /// request's lease header; else 404 (no such node), 403 (another runner's) or 409 (not the current lease).
    /// </summary>
    public static async Task<(NodeRecord? Node, ProblemHttpResult? Problem)> HeldNodeAsync(HttpContext http, PortholeDb db, RunnerCaller caller, long nodeId, CancellationToken ct)
    {
        if (caller.Runner is null)
        {
            return (null, Problems.Conflict(NotRegistered, "register first: this runner token has no registered runner (POST /api/runner/register)."));
        }

        var node = await db.Nodes.AsNoTracking().SingleOrDefaultAsync(n => n.Id == nodeId, ct);
        if (node is null)
        {
            return (null, Problems.NotFound(ErrorCodes.NodeNotFound, $"There is no node {nodeId}."));
        }

        if (node.RunnerId != caller.Runner.Id)
        {
            return (null, Problems.Forbidden($"Node {nodeId} is not leased to the runner {caller.Name}."));
        }

        if (node.Status != Status.Running || !LeaseTokens.Matches(node.LeaseTokenHash, http.Request.Headers[RunnerHttp.LeaseHeader].ToString()))
        {
            return (null, Problems.Conflict(StaleLease, $"The lease presented is not node {nodeId}'s current lease: the node ended ({node.Status}) or was given up, or the lease token is wrong."));
        }

        return (node, null);
    }

    private static ProblemHttpResult Unauthorized(string detail) => Problems.Create(StatusCodes.Status401Unauthorized, BadToken, detail);
}
