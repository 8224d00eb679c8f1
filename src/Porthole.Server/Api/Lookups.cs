using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Data;

namespace Porthole.Server.Api;

/// <summary>Finds what a request names and checks the caller may do the action with it; the problem says which and why not.</summary>
public static class Lookups
{
    public static async Task<(Project? Project, ProblemHttpResult? Problem)> ProjectAsync(
        PortholeDb db, string name, CurrentUser user, string needed, string action, CancellationToken ct)
    {
        var project = await db.Projects.SingleOrDefaultAsync(p => p.Name == name, ct);
        var role = project is null ? null : await ProjectAccess.RoleOfAsync(db, project, user, ct);
        if (project is null || role is null)
        {
            return (null, Problems.NotFound(ErrorCodes.ProjectNotFound, $"There is no project named '{Shorten(name)}' that you can see."));
        }

        if (Roles.Rank(role) < Roles.Rank(needed))
        {
            return (null, Problems.Forbidden($"You have {role} access to project {project.Name}; to {action} you need {needed} access. Ask a project admin."));
        }

        return (project, null);
    }

    public static async Task<(PipelineRecord? Pipeline, Project? Project, ProblemHttpResult? Problem)> PipelineAsync(
        PortholeDb db, string idText, CurrentUser user, CancellationToken ct)
    {
        if (!Ids.TryParse(idText, out var id))
        {
            return (null, null, Problems.BadRequest(ErrorCodes.InvalidRequest, $"'{Shorten(idText)}' is not a pipeline id: ids are positive whole numbers."));
        }

        var pipeline = await db.Pipelines.SingleOrDefaultAsync(p => p.Id == id, ct);
        var project = pipeline is null ? null : await db.Projects.SingleAsync(p => p.Id == pipeline.ProjectId, ct);
        if (pipeline is null || project is null || await ProjectAccess.RoleOfAsync(db, project, user, ct) is null)
        {
            var job = await db.Jobs.Where(j => j.Id == id).Select(j => (long?)j.PipelineId).SingleOrDefaultAsync(ct);
            var workflow = job is null ? await db.Workflows.Where(w => w.Id == id).Select(w => (long?)w.PipelineId).SingleOrDefaultAsync(ct) : null;
            var hint = (job, workflow) switch
            {
                ({ } ofJob, _) => $" {id} is a job id: job {id} belongs to pipeline {ofJob}.",
                (_, { } ofWorkflow) => $" {id} is a workflow id: workflow {id} belongs to pipeline {ofWorkflow}.",
                _ => "",
            };
            return (null, null, Problems.NotFound(ErrorCodes.PipelineNotFound, $"There is no pipeline {id} that you can see.{hint}"));
        }

        return (pipeline, project, null);
    }

    /// <summary>Finds a workflow the caller can see, and checks the caller has <paramref name="needed"/> access to its project.</summary>
    public static async Task<(WorkflowRecord? Workflow, Project? Project, ProblemHttpResult? Problem)> WorkflowAsync(
        PortholeDb db, string idText, CurrentUser user, string needed, string action, CancellationToken ct)
    {
        if (!Ids.TryParse(idText, out var workflowId))
        {
            return (null, null, Problems.BadRequest(ErrorCodes.InvalidRequest, $"'{Shorten(idText)}' is not a workflow id."));
        }

        var workflow = await db.Workflows.SingleOrDefaultAsync(w => w.Id == workflowId, ct);
        var pipeline = workflow is null ? null : await db.Pipelines.SingleAsync(p => p.Id == workflow.PipelineId, ct);
        var project = pipeline is null ? null : await db.Projects.SingleAsync(p => p.Id == pipeline.ProjectId, ct);
        if (workflow is null || project is null || await ProjectAccess.RoleOfAsync(db, project, user, ct) is null)
        {
            return (null, null, Problems.NotFound(ErrorCodes.NotFound, $"There is no workflow {workflowId} that you can see."));
        }

        if (!await ProjectAccess.CanAsync(db, project, user, needed, ct))
        {
            return (null, null, Problems.Forbidden($"To {action} of project {project.Name} you need {needed} access."));
        }

        return (workflow, project, null);
    }

    /// <summary>Finds a job; a pipeline or workflow id given instead gets an error that names its job ids (R-ID-1).</summary>
    public static async Task<(JobRecord? Job, Project? Project, ProblemHttpResult? Problem)> JobAsync(
        PortholeDb db, string idText, CurrentUser user, string needed, string action, CancellationToken ct)
    {
        if (!Ids.TryParse(idText, out var id))
        {
            return (null, null, Problems.BadRequest(ErrorCodes.InvalidRequest, $"'{Shorten(idText)}' is not a job id: ids are positive whole numbers."));
        }

        var job = await db.Jobs.SingleOrDefaultAsync(j => j.Id == id, ct);
        if (job is not null)
        {
            var pipeline = await db.Pipelines.SingleAsync(p => p.Id == job.PipelineId, ct);
            var project = await db.Projects.SingleAsync(p => p.Id == pipeline.ProjectId, ct);
            var role = await ProjectAccess.RoleOfAsync(db, project, user, ct);
            if (role is not null)
            {
                if (Roles.Rank(role) < Roles.Rank(needed))
                {
                    return (null, null, Problems.Forbidden($"You have {role} access to project {project.Name}; to {action} you need {needed} access. Ask a project admin."));
                }

                return (job, project, null);
            }
        }

        var (asPipeline, _, _) = await PipelineAsync(db, idText, user, ct);
        if (asPipeline is not null)
        {
            var jobIds = await db.Jobs.Where(j => j.PipelineId == asPipeline.Id).OrderBy(j => j.Id).Select(j => j.Id).ToListAsync(ct);
            return (null, null, Problems.Create(
                404,
                ErrorCodes.PipelineIdNotJobId,
                $"{id} is a pipeline id, not a job id. Pipeline {id} has jobs {string.Join(", ", jobIds)}: use one of those.",
                new Dictionary<string, object?> { ["pipeline_id"] = asPipeline.Id, ["job_ids"] = jobIds }));
        }

        var (asWorkflow, _, _) = await WorkflowAsync(db, idText, user, Roles.Read, "see it", ct);
        if (asWorkflow is not null)
        {
            var jobIds = await db.Jobs.Where(j => j.WorkflowId == asWorkflow.Id).OrderBy(j => j.Id).Select(j => j.Id).ToListAsync(ct);
            return (null, null, Problems.Create(
                404,
                ErrorCodes.WorkflowIdNotJobId,
                $"{id} is a workflow id, not a job id. Workflow {id} (of pipeline {asWorkflow.PipelineId}) has jobs {string.Join(", ", jobIds)}: use one of those.",
                // No pipeline_id here: the web's job page takes that extension to mean the id given was the pipeline's.
                new Dictionary<string, object?> { ["workflow_id"] = asWorkflow.Id, ["job_ids"] = jobIds }));
        }

        return (null, null, Problems.NotFound(ErrorCodes.JobNotFound, $"There is no job {id} that you can see."));
    }

    public static string Shorten(string text) => MessageText.Shorten(text);
}
