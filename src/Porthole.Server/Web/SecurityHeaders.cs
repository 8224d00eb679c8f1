using Microsoft.AspNetCore.Builder;

namespace Porthole.Server.Web;

/// <summary>
/// Headers on every page: no framing (clickjacking), no sniffing, no referrer to other sites, and a content security
/// policy that allows only this server's own scripts (no inline script: put code in /static), its styles (inline
/// styles too: xterm.js sets them), and connections back to this server (fetch, EventSource, WebSocket).
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseWebSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!WebPaths.IsApi(http.Request.Path))
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
        }

        await next(http);
    });
}
