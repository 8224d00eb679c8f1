using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Data;

namespace Porthole.Server.Accounts;

/// <summary>
/// Reads a personal token from <c>Authorization: token T</c> (Travis), <c>Circle-Token: T</c> (CircleCI)
/// or <c>Authorization: Bearer T</c>, and signs the request in as the token's user.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IDbContextFactory<PortholeDb> dbFactory,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "PortholeToken";

    /// <summary>How stale a token's <c>last_used_at</c> may be: it is written at most once a minute per token, not on every request.</summary>
    public static readonly TimeSpan LastUsedResolution = Tokens.LastUsedResolution;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken(Request.Headers);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        // A runner token is never a user's: no user is signed in by it, without a look-up (or a log line) that every
        // runner call would otherwise pay. The runner protocol's calls check it themselves (RunnerCalls); any other
        // endpoint answers it as an unknown token.
        if (token.StartsWith(Runners.Registry.RunnerTokens.Prefix, StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        await using var db = await dbFactory.CreateDbContextAsync(Context.RequestAborted);
        if (await Tokens.FindAsync(db, token, Context.RequestAborted) is not { } found)
        {
            return AuthenticateResult.Fail("unknown token");
        }

        var now = time.GetUtcNow();
        if (found.LastUsedAt is not { } lastUsed || now - lastUsed >= LastUsedResolution)
        {
            await db.Tokens.Where(t => t.Id == found.TokenId)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, (DateTimeOffset?)now), Context.RequestAborted);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(CurrentUser.IdentityOf(found.User, found.TokenId, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        var token = ReadToken(Request.Headers);
        await Results.Problem(
            statusCode: 401,
            title: "Unauthorized",
            detail: token is null
                ? "Send a personal token as 'Authorization: token T', 'Circle-Token: T' or 'Authorization: Bearer T'."
                : token.StartsWith(Runners.Registry.RunnerTokens.Prefix, StringComparison.Ordinal)
                    ? "This is a runner token: it lets a runner take jobs (porthole runner), never a user in. Send a personal token."
                    : "The token is not valid. Create a new one or log in again: porthole login --server URL --token TOKEN.",
            extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.Unauthorized }).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(statusCode: 403, title: "Forbidden", detail: "This needs an administrator.",
            extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.Forbidden }).ExecuteAsync(Context);
    }

    internal static string? ReadToken(IHeaderDictionary headers)
    {
        var circle = headers["Circle-Token"].ToString();
        if (!string.IsNullOrWhiteSpace(circle))
        {
            return circle.Trim();
        }

        var authorization = headers.Authorization.ToString().Trim();
        foreach (var prefix in (string[])["token ", "Bearer "])
        {
            if (authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                var value = authorization[prefix.Length..].Trim();
                return value.Length > 0 ? value : null;
            }
        }

        return null;
    }
}
