using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Runners.Registry;

/// <summary>
/// <c>/api/runner-tokens</c> (an administrator makes, lists and revokes runner tokens) and <c>/api/runners</c> (any
/// signed-in user sees the registered runners). Issue 14.
/// </summary>
public static class RunnersApi
{
    public static IEndpointRouteBuilder MapRunnersApi(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/runner-tokens").RequireAuthorization().WithTags("Runners");
        tokens.MapGet("/", ListTokensAsync);
        tokens.MapPost("/", CreateTokenAsync);
        tokens.MapDelete("/{name}", RevokeTokenAsync);
        app.MapGroup("/api/runners").RequireAuthorization().WithTags("Runners").MapGet("/", ListRunnersAsync);
        return app;
    }

    private static async Task<Results<Ok<List<RunnerTokenView>>, ProblemHttpResult>> ListTokensAsync(HttpContext http, PortholeDb db, CancellationToken ct)
    {
        if (!CurrentUser.From(http.User).IsAdmin)
        {
            return Problems.Forbidden("Only an administrator can see the runner tokens.");
        }

        return TypedResults.Ok(await RunnerTokens.ListAsync(db, ct));
    }

    private static async Task<Results<Created<CreatedRunnerToken>, ProblemHttpResult>> CreateTokenAsync(
        CreateRunnerTokenRequest? request, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (!user.IsAdmin)
        {
            return Problems.Forbidden("Only an administrator can make runner tokens.");
        }

        var (token, refusal) = await RunnerTokens.CreateAsync(db, user, request?.Name, time, ct);
        return token is null ? refusal!.ToProblem() : TypedResults.Created($"/api/runner-tokens/{token.Name}", token);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeTokenAsync(
        string name, HttpContext http, PortholeDb db, TimeProvider time, RunnerTokenCache tokens, CancellationToken ct)
    {
        if (!CurrentUser.From(http.User).IsAdmin)
        {
            return Problems.Forbidden("Only an administrator can revoke runner tokens.");
        }

        var refusal = await RunnerTokens.RevokeAsync(db, name, time, ct);
        tokens.Forget();
        return refusal is null ? TypedResults.NoContent() : refusal.ToProblem();
    }

    private static async Task<Ok<List<RunnerView>>> ListRunnersAsync(PortholeDb db, CancellationToken ct) =>
        TypedResults.Ok(await RunnerRegistry.ListAsync(db, ct));
}
