using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Api;
using Porthole.Data;
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

        // Names compare without regard to case (the column's collation is NOCASE): "Admin" is taken when "admin" is.
        if (await db.Users.Where(u => u.Name == name).Select(u => u.Name).FirstOrDefaultAsync(ct) is { } taken)
        {
            return Taken(name, taken);
        }

        var user = new User { Name = name, CreatedAt = time.GetUtcNow() };
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request added the same name (in some case) since the check above; the unique index said no.
            return Taken(name, name);
        }

        var token = Tokens.Generate();
        db.Tokens.Add(new ApiToken { UserId = user.Id, Hash = Tokens.Hash(token), Name = "first", CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/users/{name}", new CreatedUser(new UserView(user.Id, user.Name, false), token));
    }

    private static ProblemHttpResult Taken(string name, string taken) => Problems.Conflict(
        ErrorCodes.InvalidRequest,
        taken == name
            ? $"A user named {name} already exists."
            : $"A user named {taken} already exists, and user names are the same whatever their case: choose another name than {name}.");
}

public sealed record CreateUserRequest(string? Name);

public sealed record CreatedUser(UserView User, string Token);
