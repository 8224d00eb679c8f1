using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Server.Data;

namespace Porthole.Server.Projects;

/// <summary>A project's members and their roles (R-AC-2): list, set, remove. A project always keeps at least one admin.</summary>
public static class MembersApi
{
    public static RouteGroupBuilder MapMembersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/projects/{name}/members").RequireAuthorization().WithTags("Projects");
        group.MapGet("/", ListAsync);
        group.MapPut("/{user}", SetAsync);
        group.MapDelete("/{user}", RemoveAsync);
        return group;
    }

    /// <summary>The members, for the project's members and server admins (a public project's other readers do not see them).</summary>
    private static async Task<Results<Ok<List<MemberView>>, ProblemHttpResult>> ListAsync(string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (project, problem) = await Lookups.ProjectAsync(db, name, user, Roles.Read, "see its members", ct);
        if (project is null)
        {
            return problem!;
        }

        if (!user.IsAdmin && !await db.Memberships.AnyAsync(m => m.ProjectId == project.Id && m.UserId == user.Id, ct))
        {
            return Problems.Forbidden($"Project {project.Name} is public, but only its members see who its members are.");
        }

        var members = await (from m in db.Memberships
                             join u in db.Users on m.UserId equals u.Id
                             where m.ProjectId == project.Id
                             orderby u.Name
                             select new MemberView(u.Name, m.Role)).ToListAsync(ct);
        return TypedResults.Ok(members);
    }

    /// <summary>Gives a user a role in the project; <c>none</c> removes them (and is a no-op for a user who is not a member).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> SetAsync(
        string name, string user, SetMemberRequest? request, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Admin, "change its members", ct);
        if (project is null)
        {
            return problem!;
        }

        if (request?.Role is not { } role || (role != "none" && !Roles.IsValid(role)))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Send the role as {\"role\": \"read\" | \"write\" | \"admin\" | \"none\"}.");
        }

        var member = await db.Users.SingleOrDefaultAsync(u => u.Name == user, ct);
        if (member is null)
        {
            return NoSuchUser(user);
        }

        var refused = await ChangeRoleAsync(db, project, member, role == "none" ? null : role, mustBeMember: false, ct);
        return refused is null ? TypedResults.NoContent() : refused;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(string name, string user, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Admin, "remove its members", ct);
        if (project is null)
        {
            return problem!;
        }

        var member = await db.Users.SingleOrDefaultAsync(u => u.Name == user, ct);
        if (member is null)
        {
            return NoSuchUser(user);
        }

        var refused = await ChangeRoleAsync(db, project, member, role: null, mustBeMember: true, ct);
        return refused is null ? TypedResults.NoContent() : refused;
    }

    /// <summary>
    /// Sets <paramref name="member"/>'s role, or removes them when <paramref name="role"/> is null, unless that would leave
    /// the project without an admin. One write transaction, so two admins removing each other cannot both succeed.
    /// </summary>
    private static async Task<ProblemHttpResult?> ChangeRoleAsync(PortholeDb db, Project project, User member, string? role, bool mustBeMember, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var current = await db.Memberships.SingleOrDefaultAsync(m => m.ProjectId == project.Id && m.UserId == member.Id, ct);
        if (current is null && mustBeMember)
        {
            return Problems.NotFound(ErrorCodes.NotFound, $"{member.Name} is not a member of project {project.Name}.");
        }

        if (current?.Role == Roles.Admin && role != Roles.Admin
            && !await db.Memberships.AnyAsync(m => m.ProjectId == project.Id && m.UserId != member.Id && m.Role == Roles.Admin, ct))
        {
            return Problems.Conflict(ErrorCodes.LastAdmin,
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

    private static ProblemHttpResult NoSuchUser(string user) => Problems.NotFound(ErrorCodes.NotFound, $"There is no user named {Lookups.Shorten(user)}.");
}

public sealed record SetMemberRequest(string? Role);
