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
/// CircleCI's <c>POST /api/v2/workflow/{id}/rerun</c>, so CircleCI's clients and scripts work with their
/// <c>Circle-Token</c>: <c>{"jobs": [...], "enable_ssh": true}</c> reruns those jobs with SSH; <c>from_failed</c>
/// reruns what failed; neither reruns the workflow. <c>enable_ssh</c> needs <c>jobs</c> and excludes <c>from_failed</c>,
/// as CircleCI documents. Errors also carry CircleCI's <c>message</c>.
/// </summary>
public static class CircleCiRerunApi
{
    public static void MapCircleCiRerunApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v2/workflow/{id}/rerun", RerunAsync).RequireAuthorization().WithTags("CircleCI v2");
    }

    private static async Task<Results<Accepted<CircleRerunResponse>, ProblemHttpResult>> RerunAsync(
        string id, CircleRerunRequest? request, HttpContext http, PortholeDb db, Reruns reruns, SshRerun sshRerun, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        request ??= new CircleRerunRequest(null, null, null, null);
        var enableSsh = request.EnableSsh ?? false;
        var fromFailed = request.FromFailed ?? false;
        if (enableSsh && (request.Jobs is null || request.Jobs.Count == 0))
        {
            return Error(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "enable_ssh requires jobs: name the job ids to rerun with SSH, {\"jobs\": [\"<job id>\"], \"enable_ssh\": true}.");
        }

        if (fromFailed && request.Jobs is { Count: > 0 })
        {
            return Error(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "from_failed and jobs cannot be combined: from_failed reruns every failed job.");
        }

        if (enableSsh && fromFailed)
        {
            return Error(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "enable_ssh cannot be combined with from_failed.");
        }

        if (!Ids.TryParse(id, out var workflowId))
        {
            return Error(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, $"'{Lookups.Shorten(id)}' is not a workflow id.");
        }

        var workflow = await db.Workflows.SingleOrDefaultAsync(w => w.Id == workflowId, ct);
        var pipeline = workflow is null ? null : await db.Pipelines.SingleAsync(p => p.Id == workflow.PipelineId, ct);
        var project = pipeline is null ? null : await db.Projects.SingleAsync(p => p.Id == pipeline.ProjectId, ct);
        if (workflow is null || project is null || await ProjectAccess.RoleOfAsync(db, project, user, ct) is null)
        {
            return Error(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"Workflow not found: there is no workflow {workflowId} that you can see.");
        }

        var jobs = new List<JobRecord>();
        foreach (var jobId in request.Jobs ?? [])
        {
            var job = Ids.TryParse(jobId, out var parsed) ? await db.Jobs.SingleOrDefaultAsync(j => j.Id == parsed && j.WorkflowId == workflow.Id, ct) : null;
            if (job is null)
            {
                return Error(StatusCodes.Status400BadRequest, ErrorCodes.JobNotFound, $"Job '{Lookups.Shorten(jobId)}' is not a job of workflow {workflow.Id}.");
            }

            jobs.Add(job);
        }

        if (enableSsh)
        {
            foreach (var job in jobs)
            {
                var (_, refusal) = await sshRerun.RequestAsync(db, job, project, user, ct);
                if (refusal is not null)
                {
                    return WithMessage(refusal.ToProblem());
                }
            }
        }
        else if (!await ProjectAccess.CanAsync(db, project, user, Roles.Write, ct))
        {
            return Error(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, $"Rerunning a workflow of project {project.Name} needs write access.");
        }
        else if (jobs.Count > 0)
        {
            foreach (var job in jobs)
            {
                var (_, refusal) = await reruns.RerunJobAsync(db, job, user.Id, ct);
                if (refusal is not null)
                {
                    return Error(StatusCodes.Status409Conflict, ErrorCodes.JobNotFinished, refusal);
                }
            }
        }
        else
        {
            var (_, refusal) = await reruns.RerunWorkflowAsync(db, workflow, fromFailed, user.Id, ct);
            if (refusal is not null)
            {
                return Error(StatusCodes.Status409Conflict, ErrorCodes.JobNotFinished, refusal);
            }
        }

        return TypedResults.Accepted($"/api/pipelines/{workflow.PipelineId}", new CircleRerunResponse(workflow.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static ProblemHttpResult Error(int status, string code, string message) =>
        Problems.Create(status, code, message, new Dictionary<string, object?> { ["message"] = message });

    private static ProblemHttpResult WithMessage(ProblemHttpResult problem)
    {
        problem.ProblemDetails.Extensions["message"] = problem.ProblemDetails.Detail;
        return problem;
    }
}
