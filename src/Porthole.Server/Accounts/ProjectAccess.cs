using Microsoft.EntityFrameworkCore;
using Porthole.Server.Data;

namespace Porthole.Server.Accounts;

/// <summary>What a user may do with a project (R-AC-2): members by role, anyone signed in may read a public one, server admins everything.</summary>
public static class ProjectAccess
{
    public static async Task<string?> RoleOfAsync(PortholeDb db, Project project, CurrentUser user, CancellationToken ct)
    {
        if (user.IsAdmin)
        {
            return Roles.Admin;
        }

        var role = await db.Memberships
            .Where(m => m.ProjectId == project.Id && m.UserId == user.Id)
            .Select(m => m.Role)
            .FirstOrDefaultAsync(ct);
        if (role is null && project.Visibility == "public")
        {
            return Roles.Read;
        }

        return role;
    }

    /// <summary>The projects <paramref name="user"/> may see, with their role, in one query: the rule of <see cref="RoleOfAsync"/>.</summary>
    public static async Task<List<(Project Project, string Role)>> VisibleToAsync(PortholeDb db, CurrentUser user, CancellationToken ct)
    {
        var rows = await (from p in db.Projects
                          join m in db.Memberships.Where(m => m.UserId == user.Id) on p.Id equals m.ProjectId into memberships
                          from m in memberships.DefaultIfEmpty()
                          where user.IsAdmin || p.Visibility == "public" || m != null
                          orderby p.Name
                          select new { Project = p, Role = m == null ? null : m.Role }).ToListAsync(ct);
        return [.. rows.Select(r => (r.Project, user.IsAdmin ? Roles.Admin : r.Role ?? Roles.Read))];
    }

    public static async Task<bool> CanAsync(PortholeDb db, Project project, CurrentUser user, string needed, CancellationToken ct) =>
        Roles.Rank(await RoleOfAsync(db, project, user, ct)) >= Roles.Rank(needed);
}
