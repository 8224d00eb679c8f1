using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Porthole.Server.Api;

namespace Porthole.Server.Web.Sessions;

/// <summary>
/// CSRF protection for the API: a browser sends its session cookie with any request, even one another site makes it
/// send, so on the API the cookie is good for reading only (the pages' scripts read logs and live streams with it).
/// Changing something through the API takes a token; the web changes things through its own forms, which carry an
/// antiforgery token.
/// </summary>
public static class ApiCsrfGuard
{
    public static IApplicationBuilder UseApiCsrfGuard(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (WebPaths.IsApi(http.Request.Path) && WebPaths.IsUnsafe(http.Request.Method) && WebAuthentication.IsSession(http.User))
        {
            await Problems.Forbidden(
                    "A signed-in browser session may only read through the API. Use the web's forms, or send a personal token as 'Authorization: token T'.")
                .ExecuteAsync(http);
            return;
        }

        await next(http);
    });
}
