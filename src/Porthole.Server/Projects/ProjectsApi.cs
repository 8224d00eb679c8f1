using System.Text.RegularExpressions;
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

namespace Porthole.Server.Projects;

public static partial class ProjectsApi
{
    public static RouteGroupBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/projects").RequireAuthorization().WithTags("Projects");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{name}", GetAsync);
        group.MapPut("/{name}/env/{variable}", SetVariableAsync);
        group.MapGet("/{name}/env", ListVariablesAsync);
        group.MapDelete("/{name}/env/{variable}", DeleteVariableAsync);
        group.MapPut("/{name}/settings", SetSettingsAsync);
        return group;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    public static partial Regex ProjectName();

    private static async Task<Results<Created<ProjectView>, ProblemHttpResult>> CreateAsync(
        CreateProjectRequest? request, HttpContext http, PortholeDb db, RepositoryPolicy policy, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (request is null || string.IsNullOrWhiteSpace(request.Name) || string.IsNullOrWhiteSpace(request.Repository))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Give the project a name and a repository: {\"name\": \"demo\", \"repository\": \"https://git.example.com/team/demo.git\"}.");
        }

        if (!ProjectName().IsMatch(request.Name))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, $"'{Lookups.Shorten(request.Name)}' is not a valid project name: use letters, digits, '.', '_' and '-' (at most 100), starting with a letter or digit.");
        }

        var repository = request.Repository.Trim();
        if (repository.StartsWith('-') || repository.Length > 2000 || repository.Any(char.IsControl))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "The repository must be a local path or a URL git can clone.");
        }

        if (policy.Check(repository, user.IsAdmin) is { } refused)
        {
            return refused.ToProblem();
        }

        var visibility = request.Visibility ?? "private";
        if (visibility is not ("private" or "public"))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, $"Visibility must be 'private' or 'public', not '{Lookups.Shorten(visibility)}'.");
        }

        if (await db.Projects.AnyAsync(p => p.Name == request.Name, ct))
        {
            return Problems.Conflict(ErrorCodes.ProjectExists, $"A project named {request.Name} already exists.");
        }

        var project = new Project
        {
            Name = request.Name,
            Repository = repository,
            Visibility = visibility,
            DebugEnabled = visibility == "private",
            CreatedAt = time.GetUtcNow(),
        };
        db.Projects.Add(project);
        await db.SaveChangesAsync(ct);
        db.Memberships.Add(new Membership { ProjectId = project.Id, UserId = user.Id, Role = Roles.Admin });
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/projects/{project.Name}", Views.Of(project));
    }

    private static async Task<Ok<List<ProjectView>>> ListAsync(HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var projects = await ProjectAccess.VisibleToAsync(db, CurrentUser.From(http.User), ct);
        return TypedResults.Ok(projects.Select(p => Views.Of(p.Project)).ToList());
    }

    private static async Task<Results<Ok<ProjectView>, ProblemHttpResult>> GetAsync(string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Read, "see it", ct);
        return project is null ? problem! : TypedResults.Ok(Views.Of(project));
    }

    private static async Task<Results<Ok<VariableView>, ProblemHttpResult>> SetVariableAsync(
        string name, string variable, SetVariableRequest? request, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Admin, "set its environment variables", ct);
        if (project is null)
        {
            return problem!;
        }

        if (VariableRequests.Refuses(variable, request, out var refused))
        {
            return refused;
        }

        var stored = await db.Variables.SingleOrDefaultAsync(v => v.ProjectId == project.Id && v.Name == variable, ct);
        if (stored is null)
        {
            stored = new ProjectVariable { ProjectId = project.Id, Name = variable, Value = request.Value };
            db.Variables.Add(stored);
        }

        stored.Value = request.Value;
        stored.Secret = request.Secret ?? false;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ViewOf(stored));
    }

    private static async Task<Results<Ok<List<VariableView>>, ProblemHttpResult>> ListVariablesAsync(
        string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Write, "see its environment variables", ct);
        if (project is null)
        {
            return problem!;
        }

        var variables = await db.Variables.Where(v => v.ProjectId == project.Id).OrderBy(v => v.Name).ToListAsync(ct);
        return TypedResults.Ok(variables.Select(ViewOf).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteVariableAsync(
        string name, string variable, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Admin, "remove its environment variables", ct);
        if (project is null)
        {
            return problem!;
        }

        var removed = await db.Variables.Where(v => v.ProjectId == project.Id && v.Name == variable).ExecuteDeleteAsync(ct);
        return removed == 0
            ? Problems.NotFound(ErrorCodes.NotFound, $"Project {project.Name} has no variable {Lookups.Shorten(variable)}.")
            : TypedResults.NoContent();
    }

    /// <summary>
    /// Project settings (R-AC-3): <c>debug_enabled</c>, <c>ssh_write_members</c>, <c>debug_open_access</c> (R-DBG-7),
    /// <c>retry_lost_nodes</c> (issue 14), <c>ssh_port_forwarding</c> (R-BEY-5), <c>hold_on_failure</c> (R-BEY-1),
    /// <c>session_recording</c> (R-BEY-2). Admins only.
    /// </summary>
    private static async Task<Results<Ok<ProjectView>, ProblemHttpResult>> SetSettingsAsync(
        string name, ProjectSettingsRequest? request, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Admin, "change its settings", ct);
        if (project is null)
        {
            return problem!;
        }

        if (request is null || request is { DebugEnabled: null, SshWriteMembers: null, DebugOpenAccess: null, RetryLostNodes: null, SshPortForwarding: null, HoldOnFailure: null, SessionRecording: null })
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest,
                "Send the settings to change: {\"debug_enabled\": true, \"ssh_write_members\": false, \"debug_open_access\": false, \"retry_lost_nodes\": true, \"ssh_port_forwarding\": false, \"hold_on_failure\": \"ssh\", \"session_recording\": true}.");
        }

        if (ProjectSettings.InvalidHoldOnFailure(request.HoldOnFailure) is { } invalid)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, invalid);
        }

        await ProjectSettings.ApplyAsync(db, project, request, ct);
        return TypedResults.Ok(Views.Of(project));
    }

    /// <summary>The masker hides each line of a secret that is long enough; a secret none of whose lines is hides nothing.</summary>

    private static VariableView ViewOf(ProjectVariable variable) => new(variable.Name, variable.Secret, variable.Secret ? null : variable.Value);
}
