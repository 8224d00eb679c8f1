using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Accounts;

/// <summary>
/// A user's personal tokens (R-AC-1): the rules for listing, creating and revoking them, shared by the API
/// (<see cref="TokensApi"/>) and the web's tokens page. A secret exists only in what <see cref="CreateAsync"/> returns.
/// </summary>
public static class UserTokens
{
    public const int MaxNameLength = 100;

    /// <summary>The user's tokens; <see cref="TokenView.Current"/> marks the one this request (or browser session) came with.</summary>
    public static async Task<List<TokenView>> ListAsync(PortholeDb db, CurrentUser user, CancellationToken ct)
    {
        var tokens = await db.Tokens.Where(t => t.UserId == user.Id).OrderBy(t => t.Id).ToListAsync(ct);
        return [.. tokens.Select(t => new TokenView(t.Id, t.Name, t.CreatedAt, t.LastUsedAt, t.Id == user.TokenId))];
    }

    /// <summary>Makes a token named <paramref name="name"/> (one line, unique among the user's); its secret is in the answer only.</summary>
    public static async Task<(CreatedToken? Token, Refusal? Refusal)> CreateAsync(
        PortholeDb db, CurrentUser user, string? name, TimeProvider time, CancellationToken ct)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return (null, Refusal.BadRequest(ErrorCodes.InvalidRequest, "Give the token a name that says where it is used, such as laptop or ci."));
        }

        if (name.Length > MaxNameLength)
        {
            return (null, Refusal.BadRequest(ErrorCodes.InvalidRequest, $"A token's name may be at most {MaxNameLength} characters; this one has {name.Length}."));
        }

        if (name.Any(char.IsControl))
        {
            return (null, Refusal.BadRequest(ErrorCodes.InvalidRequest, "A token's name is one line of text: no line breaks, tabs or other control characters."));
        }

        if (await db.Tokens.AnyAsync(t => t.UserId == user.Id && t.Name == name, ct))
        {
            return (null, NameTaken(name));
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
                return (null, NameTaken(name));
            }

            throw;
        }

        return (new CreatedToken(token.Id, token.Name, token.CreatedAt, secret), null);
    }

    /// <summary>
    /// Revokes one of the user's tokens. When it is the token the caller came with (<see cref="RevokedToken.WasCurrent"/>),
    /// that token, and a browser session signed in with it, no longer works from now on.
    /// </summary>
    public static async Task<(RevokedToken? Revoked, Refusal? Refusal)> RevokeAsync(PortholeDb db, CurrentUser user, long tokenId, CancellationToken ct)
    {
        var token = await db.Tokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == user.Id, ct);
        if (token is null)
        {
            return (null, Refusal.NotFound(ErrorCodes.NotFound, $"You have no token {tokenId}; see GET /api/users/me/tokens."));
        }

        db.Tokens.Remove(token);
        await db.SaveChangesAsync(ct);
        var remaining = await db.Tokens.CountAsync(t => t.UserId == user.Id, ct);
        var wasCurrent = tokenId == user.TokenId;
        var detail = wasCurrent
            ? $"Token {token.Id} ({token.Name}) was the token of this request and no longer works. {WhatNext(user, remaining)}"
            : $"Token {token.Id} ({token.Name}) is revoked and no longer works.";
        return (new RevokedToken(token.Id, token.Name, wasCurrent, remaining, detail), null);
    }

    /// <summary>What a user who has just revoked the token they were using can do next.</summary>
    public static string WhatNext(CurrentUser user, int remaining) => remaining == 0
        ? $"It was your last token: nothing can sign in as {user.Name} any more."
        : "Sign in with another of your tokens.";

    private static Refusal NameTaken(string name) => Refusal.Conflict(ErrorCodes.TokenNameTaken,
        $"You already have a token named '{MessageText.Shorten(name)}'. Pick another name, or revoke that token first.");
}
