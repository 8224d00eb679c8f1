using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Api;
using Porthole.Server.Data;

namespace Porthole.Server.Accounts;

/// <summary>The signed-in user's personal tokens (R-AC-1): list, create (its secret in that answer only), revoke.</summary>
public static class TokensApi
{
    public const int MaxNameLength = 100;

    public static RouteGroupBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users/me/tokens").RequireAuthorization().WithTags("Tokens");
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        group.MapDelete("/{id}", RevokeAsync);
        return group;
    }

    private static async Task<Ok<List<TokenView>>> ListAsync(HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var tokens = await db.Tokens.Where(t => t.UserId == user.Id).OrderBy(t => t.Id).ToListAsync(ct);
        return TypedResults.Ok(tokens.Select(t => new TokenView(t.Id, t.Name, t.CreatedAt, t.LastUsedAt, t.Id == user.TokenId)).ToList());
    }

    private static async Task<Results<Created<CreatedToken>, ProblemHttpResult>> CreateAsync(
        CreateTokenRequest? request, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var name = request?.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Give the token a name that says where it is used: {\"name\": \"laptop\"}.");
        }

        if (name.Length > MaxNameLength)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, $"A token's name may be at most {MaxNameLength} characters; this one has {name.Length}.");
        }

        if (name.Any(char.IsControl))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "A token's name is one line of text: no line breaks, tabs or other control characters.");
        }

        var user = CurrentUser.From(http.User);
        if (await db.Tokens.AnyAsync(t => t.UserId == user.Id && t.Name == name, ct))
        {
            return NameTaken(name);
        }

        var secret = Tokens.Generate();
        var token = new ApiToken { UserId = user.Id, Hash = Tokens.Hash(secret), Name = name, CreatedAt = time.GetUtcNow() };
        db.Tokens.Add(token);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request may have made a token of the same name since the check above (the unique index says no).
            if (await db.Tokens.AsNoTracking().AnyAsync(t => t.UserId == user.Id && t.Name == name, ct))
            {
                return NameTaken(name);
            }

            throw;
        }

        return TypedResults.Created("/api/users/me/tokens", new CreatedToken(token.Id, token.Name, token.CreatedAt, secret));
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

        var user = CurrentUser.From(http.User);
        var token = await db.Tokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == user.Id, ct);
        if (token is null)
        {
            return Problems.NotFound(ErrorCodes.NotFound, $"You have no token {tokenId}; see GET /api/users/me/tokens.");
        }

        db.Tokens.Remove(token);
        await db.SaveChangesAsync(ct);
        if (tokenId != user.TokenId)
        {
            return TypedResults.NoContent();
        }

        var remaining = await db.Tokens.CountAsync(t => t.UserId == user.Id, ct);
        var next = remaining == 0
            ? $"It was your last token: nothing can sign in as {user.Name} any more."
            : "Sign in with another of your tokens.";
        return TypedResults.Ok(new RevokedToken(token.Id, token.Name, WasCurrent: true, remaining,
            $"Token {token.Id} ({token.Name}) was the token of this request and no longer works. {next}"));
    }

    private static ProblemHttpResult NameTaken(string name) => Problems.Conflict(ErrorCodes.TokenNameTaken,
        $"You already have a token named '{Lookups.Shorten(name)}'. Pick another name, or revoke that token first.");
}
