using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Porthole.Server.Accounts;
using Porthole.Data;

namespace Porthole.Server.Web.Sessions;

/// <summary>
/// The cookie session's rules: it lives as long as the token it was signed in with (checked on every request, so a
/// revoked token or a removed user ends it at once, and a changed admin flag applies at once), and the API never
/// redirects: an API request without a session gets the token scheme's 401 or 403 ProblemDetails, as before.
/// </summary>
public sealed class SessionEvents(IDbContextFactory<PortholeDb> dbFactory) : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var tokenId = long.TryParse(principal?.FindFirst(WebAuthentication.TokenIdClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
        var userId = principal is null ? 0 : CurrentUser.From(principal).Id;
        await using var db = await dbFactory.CreateDbContextAsync(context.HttpContext.RequestAborted);
        var user = await (from t in db.Tokens
                          join u in db.Users on t.UserId equals u.Id
                          where t.Id == tokenId && u.Id == userId
                          select u).FirstOrDefaultAsync(context.HttpContext.RequestAborted);
        if (user is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(WebAuthentication.CookieScheme);
            return;
        }

        context.ReplacePrincipal(WebAuthentication.PrincipalFor(user, tokenId));
    }

    public override Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context)
    {
        // A script's WebSocket (the browser terminal) cannot follow a redirect to a page: it gets the 401 as the API does.
        if (WebPaths.IsApi(context.Request.Path) || IsWebSocket(context.Request))
        {
            return context.HttpContext.ChallengeAsync(TokenAuthenticationHandler.SchemeName);
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    public override Task RedirectToAccessDenied(RedirectContext<CookieAuthenticationOptions> context)
    {
        if (WebPaths.IsApi(context.Request.Path) || IsWebSocket(context.Request))
        {
            return context.HttpContext.ForbidAsync(TokenAuthenticationHandler.SchemeName);
        }

        // An empty 403: the status code pages render it as the web's error page.
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    /// <summary>A WebSocket handshake (read from its header: the WebSocket middleware runs after authorization).</summary>
    private static bool IsWebSocket(HttpRequest request) =>
        string.Equals(request.Headers.Upgrade.ToString(), "websocket", StringComparison.OrdinalIgnoreCase);
}
