using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Porthole.Server.Accounts;
using Porthole.Data;

namespace Porthole.Server.Web.Sessions;

/// <summary>
/// How a request is signed in. The default scheme is a policy: a request with an <c>Authorization</c> or
/// <c>Circle-Token</c> header is the API's and goes to the token scheme exactly as before the web existed;
/// any other request goes to the web's cookie session, which a browser gets by signing in with a token.
/// </summary>
public static class WebAuthentication
{
    /// <summary>The default scheme: picks the token scheme or the cookie session per request.</summary>
    public const string SchemeName = "Porthole";

    public const string CookieScheme = "PortholeSession";

    public const string CookieName = "porthole_session";

    /// <summary>The id of the token the session was signed in with: revoking that token ends the session.</summary>
    public const string TokenIdClaim = CurrentUser.TokenIdClaim;

    /// <summary>A session ends after this long without a request (sliding).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(8);

    public static AuthenticationBuilder AddWebSessions(this AuthenticationBuilder builder)
    {
        builder.Services.AddScoped<SessionEvents>();
        builder.AddPolicyScheme(SchemeName, "Token or web session", o => o.ForwardDefaultSelector = http =>
            http.Request.Headers.ContainsKey("Authorization") || http.Request.Headers.ContainsKey("Circle-Token")
                ? TokenAuthenticationHandler.SchemeName
                : CookieScheme);
        builder.AddCookie(CookieScheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = IdleTimeout;
            o.SlidingExpiration = true;
            o.LoginPath = WebPaths.SignIn;
            o.LogoutPath = WebPaths.SignOut;
            o.ReturnUrlParameter = "returnUrl";
            o.EventsType = typeof(SessionEvents);
        });
        return builder;
    }

    /// <summary>The session's principal: the same claims the token scheme gives (so <see cref="CurrentUser.From"/> reads both), plus the token's id.</summary>
    public static ClaimsPrincipal PrincipalFor(User user, long tokenId)
        => new(CurrentUser.IdentityOf(user, tokenId, CookieScheme));

    /// <summary>Whether the request was signed in by the browser's session cookie (not by a token header).</summary>
    public static bool IsSession(ClaimsPrincipal principal) =>
        principal.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == CookieScheme);
}
