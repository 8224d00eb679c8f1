using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Data;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Web.Pages;

/// <summary>GET <c>/projects</c>.</summary>
public sealed partial class ProjectsPage
{
    [Parameter, EditorRequired]
    public IReadOnlyList<ProjectRow> Projects { get; set; } = [];

    public static async Task<IResult> GetAsync(HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var visible = await ProjectAccess.VisibleToAsync(db, CurrentUser.From(http.User), ct);
        return WebResults.Page<ProjectsPage>(new { Projects = visible.Select(p => new ProjectRow(Views.Of(p.Project), p.Role)).ToList() });
    }

    public sealed record ProjectRow(ProjectView Project, string Role);
}
