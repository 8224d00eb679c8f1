using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Porthole.Contracts.Api;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Accounts;

/// <summary>The signed-in user's personal tokens (R-AC-1): list, create (its secret in that answer only), revoke.</summary>
public static class TokensApi
{
    public static RouteGroupBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users/me/tokens").RequireAuthorization().WithTags("Tokens");
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        group.MapDelete("/{id}", RevokeAsync);
        return group;
    }

    private static async Task<Ok<List<TokenView>>> ListAsync(HttpContext http, PortholeDb db, CancellationToken ct) =>
        TypedResults.Ok(await UserTokens.ListAsync(db, CurrentUser.From(http.User), ct));

    private static async Task<Results<Created<CreatedToken>, ProblemHttpResult>> CreateAsync(
        CreateTokenRequest? request, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request?.Name))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Give the token a name that says where it is used: {\"name\": \"laptop\"}.");
        }

        var (token, refusal) = await UserTokens.CreateAsync(db, CurrentUser.From(http.User), request.Name, time, ct);
        return token is null ? refusal!.ToProblem() : TypedResults.Created("/api/users/me/tokens", token);
    }

    /// <summary>
    /// Revokes one of the user's tokens: 204, or 200 with a <see cref="RevokedToken"/> when it is the token this request
    /// came with, which no longer works from now on.
    /// </summary>
    private static async Task<Results<NoContent, Ok<RevokedToken>, ProblemHttpResult>> RevokeAsync(
        string id, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out var tokenId))
        {
            // Not echoed: a token's secret sent by mistake in place of its id must not come back in an answer.
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "A token is revoked by its id, a positive whole number as GET /api/users/me/tokens lists it, never by its secret.");
        }

        var (revoked, refusal) = await UserTokens.RevokeAsync(db, CurrentUser.From(http.User), tokenId, ct);
        if (revoked is null)
        {
            return refusal!.ToProblem();
        }

        return revoked.WasCurrent ? TypedResults.Ok(revoked) : TypedResults.NoContent();
    }
}
