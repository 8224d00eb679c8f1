using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Pipelines;

public static class PipelinesApi
{
    public static void MapPipelinesApi(this IEndpointRouteBuilder app)
    {
        var projects = app.MapGroup("/api/projects/{name}/pipelines").RequireAuthorization().WithTags("Pipelines");
        projects.MapPost("/", TriggerAsync);
        projects.MapGet("/", ListAsync);

        var pipelines = app.MapGroup("/api/pipelines").RequireAuthorization().WithTags("Pipelines");
        pipelines.MapGet("/{id}", GetAsync);

        var workflows = app.MapGroup("/api/workflows").RequireAuthorization().WithTags("Pipelines");
        workflows.MapPost("/{id}/rerun", RerunWorkflowAsync);
    }

    private static async Task<Results<Created<PipelineView>, ProblemHttpResult>> TriggerAsync(
        string name, TriggerRequest? request, HttpContext http, PortholeDb db, PipelineTrigger trigger, Views views, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (project, problem) = await Lookups.ProjectAsync(db, name, user, Roles.Write, "trigger a pipeline", ct);
        if (project is null)
        {
            return problem!;
        }

        if (InvalidTrigger(request) is { } invalid)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, invalid);
        }

        var (parameters, badParameters) = TriggerParameters.Read(request?.Parameters);
        if (parameters is null)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, badParameters!);
        }

        if (request?.HoldOnFailure == true && !project.DebugEnabled)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.DebugDisabled,
                $"SSH is switched off for project {project.Name} (debug_enabled is off), so a failed node cannot be held for SSH: an admin turns it on with porthole project settings {project.Name} --debug-enabled true.");
        }

        var input = new TriggerInput { Ref = request?.Ref, Tag = request?.Tag, Commit = request?.Commit, Parameters = parameters, HoldOnFailure = request?.HoldOnFailure == true };
        var (pipeline, refusal) = await trigger.TriggerAsync(db, project, input, user.Id, ct);
        if (pipeline is null)
        {
            return TriggerProblems.Of(refusal!, StatusCodes.Status422UnprocessableEntity);
        }

        return TypedResults.Created($"/api/pipelines/{pipeline.Id}", await views.PipelineAsync(db, pipeline, ct));
    }

    /// <summary>What is wrong with a trigger's ref, tag or commit, or null when they are acceptable (the web's form checks the same).</summary>
    internal static string? InvalidTrigger(TriggerRequest? request)
    {
        if (request?.Ref is { } gitRef && !IsRefName(gitRef))
        {
            return "The ref must be a branch or tag name.";
        }

        if (request?.Tag is { } tag && (!IsRefName(tag) || tag.StartsWith("refs/", StringComparison.Ordinal)))
        {
            return "The tag must be a tag's name (v1.2.3, not refs/tags/v1.2.3).";
        }

        if (request is { Ref: not null, Tag: not null })
        {
            return "Give a ref or a tag, not both.";
        }

        if (request?.Commit is { } commit && !System.Text.RegularExpressions.Regex.IsMatch(commit, "^[0-9a-fA-F]{4,64}$"))
        {
            return "The commit must be a hexadecimal commit id.";
        }

        return null;
    }

    private static bool IsRefName(string name) => name.Length is > 0 and <= 250 && !name.StartsWith('-') && !name.Any(char.IsControl);

    private static async Task<Results<Ok<List<PipelineView>>, ProblemHttpResult>> ListAsync(
        string name, HttpContext http, PortholeDb db, Views views, CancellationToken ct, int? limit = null)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Read, "see its pipelines", ct);
        if (project is null)
        {
            return problem!;
        }

        var take = Math.Clamp(limit ?? 30, 1, 500);
        var pipelines = await db.Pipelines.Where(p => p.ProjectId == project.Id).OrderByDescending(p => p.Number).Take(take).ToListAsync(ct);
        var result = new List<PipelineView>();
        foreach (var pipeline in pipelines)
        {
            result.Add(await views.PipelineAsync(db, pipeline, ct));
        }

        return TypedResults.Ok(result);
    }

    private static async Task<Results<Ok<PipelineView>, ProblemHttpResult>> GetAsync(
        string id, HttpContext http, PortholeDb db, Views views, CancellationToken ct)
    {
        var (pipeline, _, problem) = await Lookups.PipelineAsync(db, id, CurrentUser.From(http.User), ct);
        return pipeline is null ? problem! : TypedResults.Ok(await views.PipelineAsync(db, pipeline, ct));
    }

    private static async Task<Results<Accepted<RerunResponse>, ProblemHttpResult>> RerunWorkflowAsync(
        string id, RerunRequest? request, HttpContext http, PortholeDb db, Reruns reruns, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (workflow, _, problem) = await Lookups.WorkflowAsync(db, id, user, Roles.Write, "rerun a workflow", ct);
        if (workflow is null)
        {
            return problem!;
        }

        var (jobs, refusal) = await reruns.RerunWorkflowAsync(db, workflow, request?.FromFailed ?? false, user.Id, ct);
        return jobs is null
            ? Problems.Conflict(ErrorCodes.JobNotFinished, refusal!)
            : TypedResults.Accepted($"/api/pipelines/{workflow.PipelineId}", new RerunResponse(workflow.Id, jobs));
    }
}
