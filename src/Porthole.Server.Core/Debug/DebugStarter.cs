using Microsoft.EntityFrameworkCore;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Pipelines;
using Porthole.Server.Ssh;

namespace Porthole.Server.Debug;

public enum DebugRefusalKind
{
    NotFound,
    InsufficientAccess,
    DebugUnavailable,
    NoSshKey,
    AlreadyRunning,

    /// <summary>The step to start from is not the job's, or its name is two steps' (R-BEY-4); <see cref="DebugRefusal.Code"/> says which.</summary>
    InvalidStep,
}

/// <summary>Why a debug run was not started, in a form both the native and the Travis-compatible API can answer with.</summary>
public sealed record DebugRefusal(DebugRefusalKind Kind, string Message)
{
    /// <summary>The API's error code, where the kind alone does not say it.</summary>
    public string? Code { get; init; }
}

/// <summary>
/// "Debug job" (R-DBG-1), behind every way of asking for it: the checks in the order Travis makes them (the job,
/// debug access, the project's setting), then ours (a key to let the user in, the step to start from), then a new debug attempt.
/// </summary>
public sealed class DebugStarter(Reruns reruns)
{
    /// <param name="fromStep">The step to stop before once the steps before it ran (R-BEY-4: its index or name); null: before the first, as Travis does.</param>
    public async Task<(JobRecord? Job, AttemptRecord? Attempt, DebugRefusal? Refusal)> StartAsync(
        PortholeDb db, string idText, CurrentUser user, bool quiet, CancellationToken ct, string? fromStep = null)
    {
        var job = Ids.TryParse(idText, out var id) ? await db.Jobs.SingleOrDefaultAsync(j => j.Id == id, ct) : null;
        var project = job is null ? null : await (from p in db.Pipelines
                                                  join pr in db.Projects on p.ProjectId equals pr.Id
                                                  where p.Id == job.PipelineId
                                                  select pr).SingleAsync(ct);
        var role = project is null ? null : await ProjectAccess.RoleOfAsync(db, project, user, ct);
        if (job is null || project is null || role is null)
        {
            return (null, null, new DebugRefusal(DebugRefusalKind.NotFound, await NotFoundMessageAsync(db, idText, id, user, ct)));
        }

        if (Roles.Rank(role) < Roles.Rank(Roles.Write))
        {
            return (null, null, new DebugRefusal(DebugRefusalKind.InsufficientAccess,
                $"operation requires debug access to job: you have {role} access to project {project.Name}; debugging needs write access."));
        }

        if (!project.DebugEnabled)
        {
            return (null, null, new DebugRefusal(DebugRefusalKind.DebugUnavailable,
                $"debug mode not enabled for project {project.Name}: a project admin can switch it on with porthole project settings {project.Name} --debug-enabled true"));
        }

        if (!await db.SshKeys.AnyAsync(k => k.UserId == user.Id, ct))
        {
            return (null, null, new DebugRefusal(DebugRefusalKind.NoSshKey,
                "add an SSH key first: porthole keys add ~/.ssh/id_ed25519.pub (the debug session lets in your keys only)"));
        }

        var (breakpoint, stepRefusal) = StepBreakpoints.Resolve(job, fromStep, onFailure: false);
        if (stepRefusal is not null)
        {
            return (null, null, new DebugRefusal(DebugRefusalKind.InvalidStep, stepRefusal.Detail) { Code = stepRefusal.Code });
        }

        var (attempt, refusal) = await reruns.DebugAsync(db, project, job, user.Id, quiet, breakpoint, ct);
        return attempt is null
            ? (null, null, new DebugRefusal(DebugRefusalKind.AlreadyRunning, refusal!))
            : (job, attempt, null);
    }

    /// <summary>Travis's "job not found (or insufficient access)", with the job ids when a pipeline or workflow id was given (R-ID-1).</summary>
    private static async Task<string> NotFoundMessageAsync(PortholeDb db, string idText, long id, CurrentUser user, CancellationToken ct)
    {
        const string message = "job not found (or insufficient access)";
        if (id <= 0)
        {
            return $"{message}: '{MessageText.Shorten(idText)}' is not a job id";
        }

        var pipeline = await VisiblePipelineAsync(db, id, user, ct);
        if (pipeline is not null)
        {
            var jobIds = await db.Jobs.Where(j => j.PipelineId == pipeline.Id).OrderBy(j => j.Id).Select(j => j.Id).ToListAsync(ct);
            return $"{message}: {id} is a build (pipeline) id, not a job id; its jobs are {string.Join(", ", jobIds)}";
        }

        var workflow = await VisibleWorkflowAsync(db, id, user, ct);
        if (workflow is not null)
        {
            var jobIds = await db.Jobs.Where(j => j.WorkflowId == workflow.Id).OrderBy(j => j.Id).Select(j => j.Id).ToListAsync(ct);
            return $"{message}: {id} is a workflow id (of build {workflow.PipelineId}), not a job id; its jobs are {string.Join(", ", jobIds)}";
        }

        return message;
    }

    /// <summary>Pipeline <paramref name="id"/>, when <paramref name="user"/> may see its project (the API's lookup of a pipeline).</summary>
    private static async Task<PipelineRecord?> VisiblePipelineAsync(PortholeDb db, long id, CurrentUser user, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.SingleOrDefaultAsync(p => p.Id == id, ct);
        var project = pipeline is null ? null : await db.Projects.SingleAsync(p => p.Id == pipeline.ProjectId, ct);
        return project is not null && await ProjectAccess.RoleOfAsync(db, project, user, ct) is not null ? pipeline : null;
    }

    /// <summary>Workflow <paramref name="id"/>, when <paramref name="user"/> may see its project (the API's lookup of a workflow).</summary>
    private static async Task<WorkflowRecord?> VisibleWorkflowAsync(PortholeDb db, long id, CurrentUser user, CancellationToken ct)
    {
        var workflow = await db.Workflows.SingleOrDefaultAsync(w => w.Id == id, ct);
        var pipeline = workflow is null ? null : await db.Pipelines.SingleAsync(p => p.Id == workflow.PipelineId, ct);
        var project = pipeline is null ? null : await db.Projects.SingleAsync(p => p.Id == pipeline.ProjectId, ct);
        return project is not null && await ProjectAccess.CanAsync(db, project, user, Roles.Read, ct) ? workflow : null;
    }
}
