using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Data;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Web.Pages;

/// <summary>GET <c>/projects</c>.</summary>
public sealed partial class ProjectsPage
{
    [Parameter, EditorRequired]
    public IReadOnlyList<ProjectRow> Projects { get; set; } = [];

    public static async Task<IResult> GetAsync(HttpContext http, PortholeDb db, CancellationToken ct)
    {
        // The access rule is ProjectAccess's, the view the API's (Views.Of). One role query per project: the API's
        // single-query list (ProjectsApi.ListAsync) is private to it.
        var user = CurrentUser.From(http.User);
        var rows = new List<ProjectRow>();
        foreach (var project in await db.Projects.OrderBy(p => p.Name).ToListAsync(ct))
        {
            if (await ProjectAccess.RoleOfAsync(db, project, user, ct) is { } role)
            {
                rows.Add(new ProjectRow(Views.Of(project), role));
            }
        }

        return WebResults.Page<ProjectsPage>(new { Projects = rows });
    }

    public sealed record ProjectRow(ProjectView Project, string Role);
}
