using Microsoft.EntityFrameworkCore;
using Porthole.Data;

namespace Porthole.Server.Accounts;

/// <summary>What a user may do with a project (R-AC-2): members by role, anyone signed in may read a public one, server admins everything.</summary>
public static class ProjectAccess
{
    public static async Task<string?> RoleOfAsync(PortholeDb db, Project project, CurrentUser user, CancellationToken ct) =>
        user.IsAdmin
            ? Roles.Admin
            : RoleOf(project, isAdmin: false, await db.Memberships
                .Where(m => m.ProjectId == project.Id && m.UserId == user.Id)
                .Select(m => m.Role)
                .FirstOrDefaultAsync(ct));

    /// <summary>The rule itself: server admins are admins, members have their role, anyone may read a public project.</summary>
    /// <param name="membershipRole">The user's role as a member of the project; null when not a member.</param>
    public static string? RoleOf(Project project, bool isAdmin, string? membershipRole) =>
        isAdmin ? Roles.Admin : membershipRole ?? (project.Visibility == "public" ? Roles.Read : null);

    /// <summary>The projects <paramref name="user"/> may see, with their role, in one query: the rule of <see cref="RoleOfAsync"/>.</summary>
    public static async Task<List<(Project Project, string Role)>> VisibleToAsync(PortholeDb db, CurrentUser user, CancellationToken ct)
    {
        var rows = await (from p in db.Projects
                          join m in db.Memberships.Where(m => m.UserId == user.Id) on p.Id equals m.ProjectId into memberships
                          from m in memberships.DefaultIfEmpty()
                          where user.IsAdmin || p.Visibility == "public" || m != null
                          orderby p.Name
                          select new { Project = p, Role = m == null ? null : m.Role }).ToListAsync(ct);
        return [.. rows.Select(r => (r.Project, RoleOf(r.Project, user.IsAdmin, r.Role)!))];
    }

    public static async Task<bool> CanAsync(PortholeDb db, Project project, CurrentUser user, string needed, CancellationToken ct) =>
        Roles.Rank(await RoleOfAsync(db, project, user, ct)) >= Roles.Rank(needed);
}
