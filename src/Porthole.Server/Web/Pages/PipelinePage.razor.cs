using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Pipelines;
using Porthole.Server.Web.Sessions;

namespace Porthole.Server.Web.Pages;

/// <summary>
/// GET <c>/pipelines/{id}</c>: the workflows and their jobs; POST <c>/workflows/{id}/rerun</c>: the workflow's Rerun menu;
/// POST <c>/jobs/{id}/approve</c>: an approval job's Approve button.
/// </summary>
public sealed partial class PipelinePage
{
    [Parameter, EditorRequired]
    public PipelineView Pipeline { get; set; } = null!;

    [Parameter, EditorRequired]
    public ProjectPermissions Permissions { get; set; } = null!;

    /// <summary>Each job's latest attempt that counts for its status (not an SSH or debug one), by job id.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyDictionary<long, AttemptFacts> Latest { get; set; } = new Dictionary<long, AttemptFacts>();

    /// <summary>The jobs with an SSH or debug attempt running now.</summary>
    [Parameter]
    public IReadOnlyDictionary<long, string> Live { get; set; } = new Dictionary<long, string>();

    [Parameter]
    public string? TriggeredBy { get; set; }

    public static async Task<IResult> GetAsync(string id, HttpContext http, PortholeDb db, Views views, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (pipeline, project, problem) = await Lookups.PipelineAsync(db, id, user, ct);
        if (pipeline is null)
        {
            return WebResults.Problem(problem!);
        }

        var attempts = await (from a in db.Attempts
                              join j in db.Jobs on a.JobId equals j.Id
                              where j.PipelineId == pipeline.Id
                              select a).ToListAsync(ct);
        var latest = attempts.Where(a => !a.Ssh).GroupBy(a => a.JobId)
            .ToDictionary(g => g.Key, g => g.MaxBy(a => a.Number)!)
            .ToDictionary(p => p.Key, p => new AttemptFacts(p.Value.Number, p.Value.StartedAt, p.Value.FinishedAt));
        var live = attempts.Where(a => a.Ssh && !Status.IsFinished(a.Status)).GroupBy(a => a.JobId)
            .ToDictionary(g => g.Key, g => g.Any(a => a.Debug) ? "debug run" : "SSH rerun");
        return WebResults.Page<PipelinePage>(new
        {
            Pipeline = await views.PipelineAsync(db, pipeline, ct),
            Permissions = await ProjectPermissions.ForAsync(db, project!, user, ct),
            Latest = latest,
            Live = live,
            TriggeredBy = await db.Users.Where(u => u.Id == pipeline.TriggeredBy).Select(u => u.Name).SingleOrDefaultAsync(ct),
        });
    }

    /// <summary>"Rerun workflow from start" and "from failed": the same checks and service as <c>POST /api/workflows/{id}/rerun</c>.</summary>
    public static async Task<IResult> RerunWorkflowAsync(
        string id, [FromForm(Name = "from")] string? from, [FromForm(Name = "back")] string? back, HttpContext http, PortholeDb db, Reruns reruns, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (workflow, _, problem) = await Lookups.WorkflowAsync(db, id, user, Roles.Write, "rerun a workflow", ct);
        if (workflow is null)
        {
            // Only a user who may not rerun gets here by a form the page did not show: the error page says why.
            return WebResults.Problem(problem!);
        }

        var fromFailed = from == "failed";
        var (jobs, refusal) = await reruns.RerunWorkflowAsync(db, workflow, fromFailed, user.Id, ct);
        var message = jobs is null
            ? new FlashMessage(refusal!, IsError: true)
            : new FlashMessage(
                $"Workflow {workflow.Name} rerun {(fromFailed ? "from failed" : "from the start")}: {string.Join(", ", jobs.Select(j => $"{j.Name} (attempt {j.Attempt})"))}.",
                IsError: false);
        // The job page's menu comes back to the job; only a local path is followed.
        return Flash.RedirectWith(http, ReturnUrls.LocalOrDefault(back, Links.Pipeline(workflow.PipelineId)), message);
    }

    /// <summary>"Approve": the same checks and service as <c>POST /api/jobs/{id}/approve</c>; back to the job's workflow.</summary>
    public static async Task<IResult> ApproveAsync(string id, HttpContext http, PortholeDb db, Approvals approvals, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (job, _, problem) = await Lookups.JobAsync(db, id, user, Roles.Write, "approve it", ct);
        if (job is null)
        {
            // Only a user who may not approve gets here by a form the page did not show: the error page says why.
            return WebResults.Problem(problem!);
        }

        var refusal = await approvals.ApproveAsync(db, job, user.Id, ct);
        var message = refusal is null
            ? new FlashMessage($"Approved {job.Name}: the jobs that require it run now.", IsError: false)
            : new FlashMessage(refusal.Detail, IsError: true);
        return Flash.RedirectWith(http, Links.Workflow(job.PipelineId, job.WorkflowId), message);
    }

    public sealed record AttemptFacts(int Number, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);
}
