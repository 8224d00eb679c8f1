using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Projects;

/// <summary>
/// A project's image table (issue 13): which image serves a Travis job's language version or service
/// (<see cref="ImageChoice"/>) in this project, handed to the runner with the lease and consulted before the runner's own
/// table. Readers of the project see it; admins replace it whole.
/// </summary>
public static class ProjectImagesApi
{
    public static RouteGroupBuilder MapProjectImagesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/projects/{name}/images").RequireAuthorization().WithTags("Projects");
        group.MapGet("/", GetAsync);
        group.MapPut("/", SetAsync);
        return group;
    }

    private static async Task<Results<Ok<ProjectImagesView>, ProblemHttpResult>> GetAsync(string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Read, "see its image table", ct);
        if (project is null)
        {
            return problem!;
        }

        return TypedResults.Ok(await ViewAsync(db, project.Id, ct));
    }

    private static async Task<Results<Ok<ProjectImagesView>, ProblemHttpResult>> SetAsync(
        string name, ProjectImagesRequest? request, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Admin, "change its image table", ct);
        if (project is null)
        {
            return problem!;
        }

        if (request?.Images is not { } images)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest,
                "Send the whole table: {\"images\": {\"python 3.8\": \"registry.example/python:3.8\", \"redis\": \"redis:7\"}} ({\"images\": {}} clears it).");
        }

        if (images.Count > ProjectImageRules.MaxEntries)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest,
                $"The table has {images.Count} entries; a project's image table holds at most {ProjectImageRules.MaxEntries}.");
        }

        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, image) in images)
        {
            if (ProjectImageRules.Problem(key, image) is { } refusal)
            {
                return Refused(key, refusal);
            }

            if (!seen.TryAdd(key, key))
            {
                return Refused(key, $"The entries '{seen[key]}' and '{key}' differ only in case, and keys are compared ignoring case: keep one.");
            }
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.ProjectImages.Where(i => i.ProjectId == project.Id).ExecuteDeleteAsync(ct);
            db.ProjectImages.AddRange(images.Select(entry => new ProjectImageRecord { ProjectId = project.Id, Choice = entry.Key, Image = entry.Value! }));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        return TypedResults.Ok(await ViewAsync(db, project.Id, ct));
    }

    private static async Task<ProjectImagesView> ViewAsync(PortholeDb db, long projectId, CancellationToken ct)
    {
        var table = await db.ProjectImages.Where(i => i.ProjectId == projectId).ToListAsync(ct);
        var images = new Dictionary<string, string>();
        foreach (var entry in table.OrderBy(i => i.Choice, StringComparer.Ordinal))
        {
            images[entry.Choice] = entry.Image;
        }

        return new ProjectImagesView(images);
    }

    private static ProblemHttpResult Refused(string key, string detail) =>
        Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, detail, new Dictionary<string, object?> { ["entry"] = Lookups.Shorten(key) });
}
