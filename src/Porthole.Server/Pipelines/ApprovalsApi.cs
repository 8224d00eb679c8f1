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

/// <summary>
/// Approval jobs over the API (§A6). CircleCI's own calls, so its clients and scripts work with their <c>Circle-Token</c>:
/// <c>POST /api/v2/workflow/{id}/approve/{approval_request_id}</c> (the approval request id is the approval job's id here,
/// shown as <c>approval_request_id</c> in the pipeline and job views) and <c>POST /api/v2/workflow/{id}/cancel</c>, both
/// answering 202 <c>{"message": "Accepted."}</c> and errors with CircleCI's <c>message</c> too; and Porthole's
/// <c>POST /api/jobs/{id}/approve</c> (what <c>porthole approve JOB</c> calls), answering the job. All need <c>write</c>.
/// </summary>
public static class ApprovalsApi
{
    public static void MapApprovalsApi(this IEndpointRouteBuilder app)
    {
        var circle = app.MapGroup("/api/v2/workflow").RequireAuthorization().WithTags("CircleCI v2");
        circle.MapPost("/{workflowId}/approve/{approvalRequestId}", ApproveInWorkflowAsync);
        circle.MapPost("/{workflowId}/cancel", CancelWorkflowAsync);
        app.MapPost("/api/jobs/{id}/approve", ApproveJobAsync).RequireAuthorization().WithTags("Jobs");
    }

    private static async Task<Results<Accepted<CircleMessage>, ProblemHttpResult>> ApproveInWorkflowAsync(
        string workflowId, string approvalRequestId, HttpContext http, PortholeDb db, Approvals approvals, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (workflow, project) = await VisibleWorkflowAsync(db, workflowId, user, ct);
        if (workflow is null || project is null)
        {
            return Error(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"Workflow not found: there is no workflow '{Lookups.Shorten(workflowId)}' that you can see.");
        }

        var job = Ids.TryParse(approvalRequestId, out var jobId)
            ? await db.Jobs.SingleOrDefaultAsync(j => j.Id == jobId && j.WorkflowId == workflow.Id, ct)
            : null;
        if (job is null)
        {
            return Error(
                StatusCodes.Status404NotFound,
                ErrorCodes.ApprovalNotFound,
                $"Approval request not found: '{Lookups.Shorten(approvalRequestId)}' is not a job of workflow {workflow.Id}. The approval request id is the approval job's id (approval_request_id in GET /api/pipelines/{workflow.PipelineId}).");
        }

        if (job.Type != Contracts.Plans.JobType.Approval)
        {
            return WithMessage(Approvals.NotAnApproval(job).ToProblem());
        }

        if (!await ProjectAccess.CanAsync(db, project, user, Roles.Write, ct))
        {
            return Error(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, $"Approving a job of project {project.Name} needs write access. Ask a project admin.");
        }

        var refusal = await approvals.ApproveAsync(db, job, user.Id, ct);
        return refusal is null
            ? TypedResults.Accepted($"/api/jobs/{job.Id}", new CircleMessage("Accepted."))
            : WithMessage(refusal.ToProblem());
    }

    private static async Task<Results<Accepted<CircleMessage>, ProblemHttpResult>> CancelWorkflowAsync(
        string workflowId, HttpContext http, PortholeDb db, Reruns reruns, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (workflow, project) = await VisibleWorkflowAsync(db, workflowId, user, ct);
        if (workflow is null || project is null)
        {
            return Error(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"Workflow not found: there is no workflow '{Lookups.Shorten(workflowId)}' that you can see.");
        }

        if (!await ProjectAccess.CanAsync(db, project, user, Roles.Write, ct))
        {
            return Error(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, $"Canceling a workflow of project {project.Name} needs write access. Ask a project admin.");
        }

        var refusal = await reruns.CancelWorkflowAsync(db, workflow, ct);
        return refusal is null
            ? TypedResults.Accepted($"/api/pipelines/{workflow.PipelineId}", new CircleMessage("Accepted."))
            : Error(StatusCodes.Status409Conflict, ErrorCodes.JobFinished, refusal);
    }

    private static async Task<Results<Accepted<JobView>, ProblemHttpResult>> ApproveJobAsync(
        string id, HttpContext http, PortholeDb db, Approvals approvals, Views views, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (job, _, problem) = await Lookups.JobAsync(db, id, user, Roles.Read, "see it", ct);
        if (job is null)
        {
            return problem!;
        }

        // Not an approval is said before the role: a read member learns there is nothing to approve here.
        if (job.Type != Contracts.Plans.JobType.Approval)
        {
            return Approvals.NotAnApproval(job).ToProblem();
        }

        (job, _, problem) = await Lookups.JobAsync(db, id, user, Roles.Write, "approve it", ct);
        if (job is null)
        {
            return problem!;
        }

        var refusal = await approvals.ApproveAsync(db, job, user.Id, ct);
        return refusal is null
            ? TypedResults.Accepted($"/api/jobs/{job.Id}", await views.JobAsync(db, job, ct))
            : refusal.ToProblem();
    }

    /// <summary>The workflow and its project when the caller may see them (any role, or a public project's reader), else nulls.</summary>
    private static async Task<(WorkflowRecord? Workflow, Project? Project)> VisibleWorkflowAsync(PortholeDb db, string idText, CurrentUser user, CancellationToken ct)
    {
        if (!Ids.TryParse(idText, out var id))
        {
            return (null, null);
        }

        var workflow = await db.Workflows.SingleOrDefaultAsync(w => w.Id == id, ct);
        var pipeline = workflow is null ? null : await db.Pipelines.SingleAsync(p => p.Id == workflow.PipelineId, ct);
        var project = pipeline is null ? null : await db.Projects.SingleAsync(p => p.Id == pipeline.ProjectId, ct);
        return project is not null && await ProjectAccess.RoleOfAsync(db, project, user, ct) is not null ? (workflow, project) : (null, null);
    }

    private static ProblemHttpResult Error(int status, string code, string message) =>
        WithMessage(Problems.Create(status, code, message));

    private static ProblemHttpResult WithMessage(ProblemHttpResult problem)
    {
        problem.ProblemDetails.Extensions["message"] = problem.ProblemDetails.Detail;
        return problem;
    }
}
