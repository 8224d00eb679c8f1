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

    public static async Task<bool> CanAsync(PortholeDb db, Project project, CurrentUser user, string needed, CancellationToken ct) =>
        Roles.Rank(await RoleOfAsync(db, project, user, ct)) >= Roles.Rank(needed);
}
