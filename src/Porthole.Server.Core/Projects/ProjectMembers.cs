using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Projects;

/// <summary>
/// A project's members and their roles (R-AC-2), shared by the API (<see cref="MembersApi"/>) and the web's project
/// settings page. A project always keeps at least one admin.
/// </summary>
public static class ProjectMembers
{
    public static Task<List<MemberView>> ListAsync(PortholeDb db, Project project, CancellationToken ct) =>
        (from m in db.Memberships
         join u in db.Users on m.UserId equals u.Id
         where m.ProjectId == project.Id
         orderby u.Name
         select new MemberView(u.Name, m.Role)).ToListAsync(ct);

    /// <summary>
    /// Gives the user named <paramref name="userName"/> a role in the project, or removes them when <paramref name="role"/>
    /// is null (a no-op for a user who is not a member, unless <paramref name="mustBeMember"/>), unless that would leave
    /// the project without an admin. One write transaction (on PostgreSQL with the project's row locked), so two admins
    /// removing each other cannot both succeed.
    /// </summary>
    public static async Task<Refusal?> SetRoleAsync(
        PortholeDb db, Project project, string userName, string? role, bool mustBeMember, CancellationToken ct)
    {
        var member = await db.Users.SingleOrDefaultAsync(u => u.Name == userName, ct);
        if (member is null)
        {
            return Refusal.NotFound(ErrorCodes.NotFound, $"There is no user named {MessageText.Shorten(userName)}.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        // SQLite has one writer; on PostgreSQL the project's row is locked, so changes of its members take turns (and
        // the second of two admins leaving at once sees the first gone).
        if (db.Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL")
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Projects\" WHERE \"Id\" = {project.Id} FOR UPDATE", ct);
        }

        var current = await db.Memberships.SingleOrDefaultAsync(m => m.ProjectId == project.Id && m.UserId == member.Id, ct);
        if (current is null && mustBeMember)
        {
            return Refusal.NotFound(ErrorCodes.NotFound, $"{member.Name} is not a member of project {project.Name}.");
        }

        if (current?.Role == Roles.Admin && role != Roles.Admin
            && !await db.Memberships.AnyAsync(m => m.ProjectId == project.Id && m.UserId != member.Id && m.Role == Roles.Admin, ct))
        {
            return Refusal.Conflict(ErrorCodes.LastAdmin,
                $"{member.Name} is the last admin of project {project.Name}, and a project needs one: give another member the admin role first.");
        }

        if (role is null)
        {
            if (current is not null)
            {
                db.Memberships.Remove(current);
            }
        }
        else if (current is null)
        {
            db.Memberships.Add(new Membership { ProjectId = project.Id, UserId = member.Id, Role = role });
        }
        else
        {
            current.Role = role;
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return null;
    }
}
