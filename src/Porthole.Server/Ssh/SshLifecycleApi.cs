using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Ssh;

/// <summary>
/// A node's SSH lifecycle from outside (R-BEY-4): <c>POST /api/jobs/{id}/nodes/{n}/extend</c> (<c>{"duration": "30m"}</c>,
/// up to the cap) and <c>/release</c> (end it now), for the project's writers (<see cref="SshLifecycle"/>).
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
        var (job, _, problem) = await Lookups.JobAsync(db, id, CurrentUser.From(http.User), Roles.Write, "extend its SSH wait", ct);
        if (job is null)
        {
            return problem!;
        }

        var (record, refusal) = await SshLifecycle.ExtendAsync(db, job, node, request?.Duration, options.Value.SshExtendCap, ct);
        return record is null ? refusal!.ToProblem() : TypedResults.Accepted((string?)null, Views.SshNode(record));
    }

    private static async Task<Results<Accepted<SshNodeView>, ProblemHttpResult>> ReleaseAsync(
        string id, string node, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (job, _, problem) = await Lookups.JobAsync(db, id, CurrentUser.From(http.User), Roles.Write, "release it", ct);
        if (job is null)
        {
            return problem!;
        }

        var (record, refusal) = await SshLifecycle.ReleaseAsync(db, job, node, ct);
        return record is null ? refusal!.ToProblem() : TypedResults.Accepted((string?)null, Views.SshNode(record));
    }
}
