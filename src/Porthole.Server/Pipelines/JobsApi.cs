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

public static class JobsApi
{
    public static RouteGroupBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/jobs").RequireAuthorization().WithTags("Jobs");
        group.MapGet("/{id}", GetAsync);
        group.MapPost("/{id}/cancel", CancelAsync);
        group.MapPost("/{id}/rerun", RerunAsync);
        return group;
    }

    private static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetAsync(string id, HttpContext http, PortholeDb db, Views views, CancellationToken ct)
    {
        var (job, _, problem) = await Lookups.JobAsync(db, id, CurrentUser.From(http.User), Roles.Read, "see it", ct);
        return job is null ? problem! : TypedResults.Ok(await views.JobAsync(db, job, ct));
    }

    private static async Task<Results<Accepted<JobView>, ProblemHttpResult>> CancelAsync(
        string id, HttpContext http, PortholeDb db, Reruns reruns, Views views, CancellationToken ct)
    {
        var (job, _, problem) = await Lookups.JobAsync(db, id, CurrentUser.From(http.User), Roles.Write, "cancel it", ct);
        if (job is null)
        {
            return problem!;
        }

        var refusal = await reruns.CancelAsync(db, job, ct);
        if (refusal is not null)
        {
            return Problems.Conflict(ErrorCodes.JobFinished, refusal);
        }

        await db.Entry(job).ReloadAsync(ct);
        return TypedResults.Accepted($"/api/jobs/{job.Id}", await views.JobAsync(db, job, ct));
    }

    private static async Task<Results<Accepted<RerunResponse>, ProblemHttpResult>> RerunAsync(
        string id, RerunRequest? request, HttpContext http, PortholeDb db, Reruns reruns, Ssh.SshRerun sshRerun, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (request?.Ssh == true && request.FromFailed == true)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "A rerun with SSH reruns one job; it cannot be combined with from_failed.");
        }

        if (BreakpointRefusal(request) is { } breakpointRefusal)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, breakpointRefusal);
        }

        // For SSH the project's setting is checked before the role, so a read member learns both reasons in order.
        var (job, project, problem) = await Lookups.JobAsync(db, id, user, request?.Ssh == true ? Roles.Read : Roles.Write, "rerun it", ct);
        if (job is null)
        {
            return problem!;
        }

        IReadOnlyList<JobAttemptRef>? jobs;
        string? refusal;
        if (request?.Ssh == true)
        {
            var (started, sshRefusal) = await sshRerun.RequestAsync(db, job, project!, user, ct, request.BreakBefore, request.BreakOnFailure == true);
            return started is null ? sshRefusal!.ToProblem() : TypedResults.Accepted($"/api/jobs/{job.Id}", new RerunResponse(job.WorkflowId, started));
        }

        if (request?.FromFailed == true)
        {
            var workflow = await db.Workflows.SingleAsync(w => w.Id == job.WorkflowId, ct);
            (jobs, refusal) = await reruns.RerunWorkflowAsync(db, workflow, fromFailed: true, user.Id, ct);
        }
        else
        {
            (jobs, refusal) = await reruns.RerunJobAsync(db, job, user.Id, ct);
        }

        return jobs is null
            ? Problems.Conflict(ErrorCodes.JobNotFinished, refusal!)
            : TypedResults.Accepted($"/api/jobs/{job.Id}", new RerunResponse(job.WorkflowId, jobs));
    }

    /// <summary>A breakpoint (R-BEY-4) stops a rerun with SSH, and a run stops at one.</summary>
    private static string? BreakpointRefusal(RerunRequest? request)
    {
        var before = request?.BreakBefore is not null;
        var onFailure = request?.BreakOnFailure == true;
        if (!before && !onFailure)
        {
            return null;
        }

        if (request!.Ssh != true)
        {
            return $"{(before ? "break_before" : "break_on_failure")} stops a rerun with SSH: add \"ssh\": true (porthole rerun JOB --ssh {(before ? "--break-before STEP" : "--break-on-failure")}).";
        }

        return before && onFailure ? Ssh.StepBreakpoints.BothRefusal : null;
    }
}
