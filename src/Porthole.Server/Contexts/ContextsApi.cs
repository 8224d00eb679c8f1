using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Contexts;

/// <summary>
/// Contexts (dialects.md §A6): named sets of variables and secrets, server-wide. Server admins make, change and delete
/// them; anyone signed in may list them and their variables' names (only admins see the plain values; a secret's value is
/// never shown again).
/// </summary>
public static class ContextsApi
{
    /// <summary>The longest value a variable of a context may have, as for a project's.</summary>

    public static RouteGroupBuilder MapContextsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/contexts").RequireAuthorization().WithTags("Contexts");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{name}", GetAsync);
        group.MapDelete("/{name}", DeleteAsync);
        group.MapPut("/{name}/env/{variable}", SetVariableAsync);
        group.MapGet("/{name}/env", ListVariablesAsync);
        group.MapDelete("/{name}/env/{variable}", DeleteVariableAsync);
        return group;
    }

    private static async Task<Results<Created<ContextView>, ProblemHttpResult>> CreateAsync(
        CreateContextRequest? request, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (!user.IsAdmin)
        {
            return Problems.Forbidden("Only a server admin can create contexts.");
        }

        if (ContextNames.Problem(request?.Name) is { } problem)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, problem);
        }

        var role = request!.Role ?? ContextNames.DefaultRole;
        if (!Roles.IsValid(role))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, $"'{Lookups.Shorten(role)}' is not a role: a context asks for read, write or admin.");
        }

        var name = request.Name!;
        if (await db.Contexts.AnyAsync(c => c.Name == name, ct))
        {
            return Exists(name);
        }

        var context = new ContextRecord { Name = name, Role = role, CreatedBy = user.Id, CreatedAt = time.GetUtcNow() };
        db.Contexts.Add(context);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request made it since the check above; the unique index said no.
            return Exists(name);
        }

        return TypedResults.Created($"/api/contexts/{name}", new ContextView(context.Name, context.Role, context.CreatedAt, 0));
    }

    private static async Task<Ok<List<ContextView>>> ListAsync(PortholeDb db, CancellationToken ct)
    {
        var contexts = await db.Contexts
            .OrderBy(c => c.Name)
            .Select(c => new { c.Name, c.Role, c.CreatedAt, Variables = db.ContextVariables.Count(v => v.ContextId == c.Id) })
            .ToListAsync(ct);
        return TypedResults.Ok(contexts.Select(c => new ContextView(c.Name, c.Role, c.CreatedAt, c.Variables)).ToList());
    }

    private static async Task<Results<Ok<ContextView>, ProblemHttpResult>> GetAsync(string name, PortholeDb db, CancellationToken ct)
    {
        var (context, problem) = await FindAsync(db, name, ct);
        if (context is null)
        {
            return problem!;
        }

        var count = await db.ContextVariables.CountAsync(v => v.ContextId == context.Id, ct);
        return TypedResults.Ok(new ContextView(context.Name, context.Role, context.CreatedAt, count));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        if (!CurrentUser.From(http.User).IsAdmin)
        {
            return Problems.Forbidden("Only a server admin can delete contexts.");
        }

        var (context, problem) = await FindAsync(db, name, ct);
        if (context is null)
        {
            return problem!;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.ContextVariables.Where(v => v.ContextId == context.Id).ExecuteDeleteAsync(ct);
        await db.Contexts.Where(c => c.Id == context.Id).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<VariableView>, ProblemHttpResult>> SetVariableAsync(
        string name, string variable, SetVariableRequest? request, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        if (!CurrentUser.From(http.User).IsAdmin)
        {
            return Problems.Forbidden("Only a server admin can set a context's variables.");
        }

        var (context, problem) = await FindAsync(db, name, ct);
        if (context is null)
        {
            return problem!;
        }

        if (VariableRequests.Refuses(variable, request, out var refused))
        {
            return refused;
        }

        var stored = await db.ContextVariables.SingleOrDefaultAsync(v => v.ContextId == context.Id && v.Name == variable, ct);
        if (stored is null)
        {
            stored = new ContextVariableRecord { ContextId = context.Id, Name = variable, Value = request.Value };
            db.ContextVariables.Add(stored);
        }

        stored.Value = request.Value;
        stored.Secret = request.Secret ?? false;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ViewOf(stored));
    }

    /// <summary>The variables' names for anyone signed in; the values of the plain ones for server admins only.</summary>
    private static async Task<Results<Ok<List<VariableView>>, ProblemHttpResult>> ListVariablesAsync(
        string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (context, problem) = await FindAsync(db, name, ct);
        if (context is null)
        {
            return problem!;
        }

        var variables = await db.ContextVariables.Where(v => v.ContextId == context.Id).OrderBy(v => v.Name).ToListAsync(ct);
        var admin = CurrentUser.From(http.User).IsAdmin;
        return TypedResults.Ok(variables.Select(v => admin ? ViewOf(v) : new VariableView(v.Name, v.Secret, null)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteVariableAsync(
        string name, string variable, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        if (!CurrentUser.From(http.User).IsAdmin)
        {
            return Problems.Forbidden("Only a server admin can remove a context's variables.");
        }

        var (context, problem) = await FindAsync(db, name, ct);
        if (context is null)
        {
            return problem!;
        }

        var removed = await db.ContextVariables.Where(v => v.ContextId == context.Id && v.Name == variable).ExecuteDeleteAsync(ct);
        return removed == 0
            ? Problems.NotFound(ErrorCodes.NotFound, $"Context {context.Name} has no variable {Lookups.Shorten(variable)}.")
            : TypedResults.NoContent();
    }

    /// <summary>The context named <paramref name="name"/>; a name that cannot be one is a 400 naming the character, a missing one a 404.</summary>
    private static async Task<(ContextRecord? Context, ProblemHttpResult? Problem)> FindAsync(PortholeDb db, string name, CancellationToken ct)
    {
        if (ContextNames.Problem(name) is { } problem)
        {
            return (null, Problems.BadRequest(ErrorCodes.InvalidRequest, problem));
        }

        var context = await db.Contexts.SingleOrDefaultAsync(c => c.Name == name, ct);
        return context is null
            ? (null, Problems.NotFound(ContextErrorCodes.ContextNotFound, $"There is no context named '{name}'. A server admin creates it with 'porthole context create {name}'."))
            : (context, null);
    }

    private static ProblemHttpResult Exists(string name) =>
        Problems.Conflict(ContextErrorCodes.ContextExists, $"A context named {name} already exists.");

    /// <summary>A secret's value never leaves the server again.</summary>
    private static VariableView ViewOf(ContextVariableRecord variable) => new(variable.Name, variable.Secret, variable.Secret ? null : variable.Value);
}
