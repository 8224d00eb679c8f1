using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Projects;

/// <summary>
/// <c>GET /api/projects/{name}/key</c>: the project's public key for Travis <c>secure:</c> values (§B12), in Travis's shape
/// <c>{key, fingerprint}</c>, so that <c>porthole encrypt</c> (or any tool that speaks Travis's) can encrypt for it. Anyone
/// who may read the project may have it; the key is made on the first request.
/// </summary>
public static class ProjectKeyApi
{
    public static RouteHandlerBuilder MapProjectKeyApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/projects/{name}/key", GetAsync).RequireAuthorization().WithTags("Projects");

    private static async Task<Results<Ok<ProjectKeyView>, ProblemHttpResult>> GetAsync(
        string name, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Read, "see its key", ct);
        if (project is null)
        {
            return problem!;
        }

        using var key = await ProjectKeys.GetOrCreateAsync(db, project.Id, time, ct);
        return TypedResults.Ok(new ProjectKeyView(ProjectKeys.PublicKeyPem(key), ProjectKeys.Fingerprint(key)));
    }
}
