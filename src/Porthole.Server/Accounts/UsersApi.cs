using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Api;
using Porthole.Server.Data;
using Porthole.Server.Projects;

namespace Porthole.Server.Accounts;

public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").RequireAuthorization().WithTags("Users");
        group.MapGet("/me", (HttpContext http) =>
        {
            var user = CurrentUser.From(http.User);
            return TypedResults.Ok(new UserView(user.Id, user.Name, user.IsAdmin));
        });
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        return group;
    }

    /// <summary>Every user, for an administrator.</summary>
    private static async Task<Results<Ok<List<UserSummary>>, ProblemHttpResult>> ListAsync(HttpContext http, PortholeDb db, CancellationToken ct)
    {
        if (!CurrentUser.From(http.User).IsAdmin)
        {
            return Problems.Forbidden("Only an administrator can list the users.");
        }

        var users = await db.Users.OrderBy(u => u.Name).ToListAsync(ct);
        return TypedResults.Ok(users.Select(u => new UserSummary(u.Id, u.Name, u.IsAdmin, u.CreatedAt)).ToList());
    }

    /// <summary>An administrator adds a user; the user's first token is in the answer, and only there.</summary>
    private static async Task<Results<Created<CreatedUser>, ProblemHttpResult>> CreateAsync(
        CreateUserRequest? request, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        if (!CurrentUser.From(http.User).IsAdmin)
        {
            return Problems.Forbidden("Only an administrator can add users.");
        }

        if (request?.Name is not { } name || !ProjectsApi.ProjectName().IsMatch(name))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Give the user a name of letters, digits, '.', '_' and '-': {\"name\": \"alice\"}.");
        }

        if (await db.Users.AnyAsync(u => u.Name == name, ct))
        {
            return Problems.Conflict(ErrorCodes.InvalidRequest, $"A user named {name} already exists.");
        }

        var user = new User { Name = name, CreatedAt = time.GetUtcNow() };
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        var token = Tokens.Generate();
        db.Tokens.Add(new ApiToken { UserId = user.Id, Hash = Tokens.Hash(token), Name = "first", CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/users/{name}", new CreatedUser(new UserView(user.Id, user.Name, false), token));
    }
}

public sealed record CreateUserRequest(string? Name);

public sealed record CreatedUser(UserView User, string Token);
