using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Data;

namespace Porthole.Server.Pipelines;

/// <summary>
/// The push webhook GitHub posts to (no token: its signature is checked instead, see <see cref="GitHubPushHook"/>), and
/// <c>/api/projects/{name}/hook</c>: its address and whether its secret exists (GET, read access), and making or rotating
/// the secret (POST, write access), the only answer that ever shows the secret.
/// </summary>
public static class HooksApi
{
    public static void MapHooksApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/projects/{name}/hooks/github", (string name, HttpContext http, GitHubPushHook hook) => hook.ReceiveAsync(name, http))
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithTags("Hooks");

        var hooks = app.MapGroup("/api/projects/{name}/hook").RequireAuthorization().WithTags("Hooks");
        hooks.MapGet("/", GetAsync);
        hooks.MapPost("/", CreateAsync);
    }

    /// <summary>The webhook's path for project <paramref name="name"/>.</summary>
    public static string HookPath(string name) => $"/api/projects/{Uri.EscapeDataString(name)}/hooks/github";

    private static async Task<Results<Ok<HookView>, ProblemHttpResult>> GetAsync(string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Read, "see its webhook", ct);
        if (project is null)
        {
            return problem!;
        }

        var hook = await db.ProjectHooks.AsNoTracking().SingleOrDefaultAsync(h => h.ProjectId == project.Id, ct);
        return TypedResults.Ok(await ViewAsync(db, http, project, hook, secret: null, ct));
    }

    private static async Task<Results<Ok<HookView>, Created<HookView>, ProblemHttpResult>> CreateAsync(
        string name, CreateHookRequest? request, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (project, problem) = await Lookups.ProjectAsync(db, name, user, Roles.Write, "make its webhook secret", ct);
        if (project is null)
        {
            return problem!;
        }

        var hook = await db.ProjectHooks.SingleOrDefaultAsync(h => h.ProjectId == project.Id, ct);
        if (hook is not null && request?.Rotate != true)
        {
            return TypedResults.Ok(await ViewAsync(db, http, project, hook, secret: null, ct));
        }

        var secret = HookSignature.NewSecret();
        if (hook is null)
        {
            hook = new ProjectHookRecord { ProjectId = project.Id, Secret = secret };
            db.ProjectHooks.Add(hook);
        }

        hook.Secret = secret;
        hook.CreatedBy = user.Id;
        hook.CreatedAt = time.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (ServerDatabase.IsConstraintViolation(e))
        {
            // Another request made it at the same moment: that one's secret stands, and only its answer shows it.
            db.ChangeTracker.Clear();
            var made = await db.ProjectHooks.AsNoTracking().SingleAsync(h => h.ProjectId == project.Id, ct);
            return TypedResults.Ok(await ViewAsync(db, http, project, made, secret: null, ct));
        }

        return TypedResults.Created(http.Request.Path, await ViewAsync(db, http, project, hook, secret, ct));
    }

    private static async Task<HookView> ViewAsync(PortholeDb db, HttpContext http, Project project, ProjectHookRecord? hook, string? secret, CancellationToken ct)
    {
        var by = hook is null ? null : await db.Users.Where(u => u.Id == hook.CreatedBy).Select(u => u.Name).SingleOrDefaultAsync(ct);
        var path = HookPath(project.Name);
        var url = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{path}";
        return new HookView(project.Name, path, url, hook is not null, hook?.CreatedAt, by, secret);
    }
}
