using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

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

        var members = await ProjectMembers.ListAsync(db, project, ct);
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

        var refused = await ProjectMembers.SetRoleAsync(db, project, user, role == "none" ? null : role, mustBeMember: false, ct);
        return refused is null ? TypedResults.NoContent() : refused.ToProblem();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(string name, string user, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Admin, "remove its members", ct);
        if (project is null)
        {
            return problem!;
        }

        var refused = await ProjectMembers.SetRoleAsync(db, project, user, role: null, mustBeMember: true, ct);
        return refused is null ? TypedResults.NoContent() : refused.ToProblem();
    }
}

public sealed record SetMemberRequest(string? Role);
