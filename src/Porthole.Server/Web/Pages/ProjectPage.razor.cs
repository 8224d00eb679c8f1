using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Web.Pages;

/// <summary>GET <c>/projects/{name}</c>: the project's pipelines; POST <c>/projects/{name}/pipelines</c>: trigger one.</summary>
public sealed partial class ProjectPage
{
    /// <summary>How many of the latest pipelines the page lists.</summary>
    public const int Shown = 50;

    [Parameter, EditorRequired]
    public ProjectView Project { get; set; } = null!;

    [Parameter, EditorRequired]
    public ProjectPermissions Permissions { get; set; } = null!;

    [Parameter, EditorRequired]
    public IReadOnlyList<PipelineRow> Pipelines { get; set; } = [];

    [Parameter]
    public int Total { get; set; }

    public static async Task<IResult> GetAsync(string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (project, problem) = await Lookups.ProjectAsync(db, name, user, Roles.Read, "see its pipelines", ct);
        if (project is null)
        {
            return WebResults.Problem(problem!);
        }

        var rows = await (from p in db.Pipelines
                          where p.ProjectId == project.Id
                          join u in db.Users on p.TriggeredBy equals u.Id into users
                          from u in users.DefaultIfEmpty()
                          orderby p.Number descending
                          select new PipelineRow(p.Id, p.Number, p.Status, p.Ref, p.Commit, p.CreatedAt, u == null ? null : u.Name))
            .Take(Shown)
            .ToListAsync(ct);
        return WebResults.Page<ProjectPage>(new
        {
            Project = Views.Of(project),
            Permissions = await ProjectPermissions.ForAsync(db, project, user, ct),
            Pipelines = rows,
            Total = await db.Pipelines.CountAsync(p => p.ProjectId == project.Id, ct),
        });
    }

    /// <summary>The "Trigger pipeline" form: the same checks and service as <c>POST /api/projects/{name}/pipelines</c>.</summary>
    public static async Task<IResult> TriggerAsync(
        string name, [FromForm(Name = "ref")] string? gitRef, HttpContext http, PortholeDb db, PipelineTrigger trigger, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (project, problem) = await Lookups.ProjectAsync(db, name, user, Roles.Write, "trigger a pipeline", ct);
        if (project is null)
        {
            // Only a user who may not trigger gets here by a form the page did not show: the error page says why.
            return WebResults.Problem(problem!);
        }

        var request = new TriggerRequest(string.IsNullOrWhiteSpace(gitRef) ? null : gitRef.Trim(), null);
        if (PipelinesApi.InvalidTrigger(request) is { } invalid)
        {
            return Flash.RedirectWith(http, Links.Project(project.Name), new FlashMessage(invalid, IsError: true));
        }

        var (pipeline, refusal) = await trigger.TriggerAsync(db, project, request.Ref, null, user.Id, ct);
        if (pipeline is null)
        {
            return Flash.RedirectWith(http, Links.Project(project.Name), new FlashMessage(refusal!.Detail, IsError: true));
        }

        var at = pipeline.Ref is null ? "" : $" on {pipeline.Ref}";
        return Flash.RedirectWith(http, Links.Pipeline(pipeline.Id), new FlashMessage($"Pipeline #{pipeline.Number} triggered{at}.", IsError: false));
    }

    public sealed record PipelineRow(long Id, int Number, string Status, string? Ref, string Commit, DateTimeOffset CreatedAt, string? TriggeredBy);
}
