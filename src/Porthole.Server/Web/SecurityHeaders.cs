using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Porthole.Server.Web;

/// <summary>
/// Headers on every page: no framing (clickjacking), no sniffing, no referrer to other sites, and a content security
/// policy that allows only this server's own scripts (no inline script: put code in /static), its own stylesheets, and
/// connections back to this server (fetch, EventSource, and the browser terminal's WebSocket: CSP3's <c>'self'</c>
/// matches <c>ws:</c>/<c>wss:</c> to the page's own host and port).
/// </summary>
/// <remarks>
/// Styles, for xterm.js (the job page's terminal, R-WEB-2), whose DOM renderer cannot work without two kinds of inline CSS:
/// <list type="bullet">
/// <item><c>&lt;style&gt;</c> elements it creates and rewrites (its theme, cell size, scrollbar): allowed only with this
/// response's nonce (<see cref="StyleNonce"/>), which <c>terminal.js</c> gives them as xterm makes them. An injected
/// <c>&lt;style&gt;</c> (CSS that could read attributes with selectors) stays blocked.</item>
/// <item><c>style="…"</c> attributes it writes for 24-bit colours (<c>setAttribute('style', 'color:#…')</c>): an
/// attribute cannot carry a nonce, and its value differs per colour, so no hash fits. Hence <c>style-src-attr
/// 'unsafe-inline'</c>, and attributes only: an attribute styles its own element, it has no selectors to read the page
/// with, and <c>img-src</c> keeps its <c>url()</c>s on this server. A browser without <c>style-src-attr</c> falls back to
/// <c>style-src</c>, where the nonce disables <c>'unsafe-inline'</c>: it then only loses those colours.</item>
/// </list>
/// WebAssembly, for asciinema-player (the replay page of a session recording, R-BEY-2), whose terminal emulator is a
/// module it compiles from bytes in its own script: CSP blocks that without <c>'wasm-unsafe-eval'</c> in
/// <c>script-src</c>. Only a page whose handler calls <see cref="AllowWebAssembly"/> has it: the handler rewrites the
/// header this middleware wrote before it, so every other response keeps the policy above exactly.
/// <c>'wasm-unsafe-eval'</c> admits compiling WebAssembly only, not JavaScript's <c>eval</c>; the scripts still come from
/// this server alone. The player writes no <c>&lt;style&gt;</c> elements, only styles through the CSSOM.
/// </remarks>
public static class SecurityHeaders
{
    private const string NonceKey = "porthole.style-nonce";

    /// <summary>The policy of a response whose style nonce is <paramref name="styleNonce"/>, with WebAssembly or without.</summary>
    public static string ContentSecurityPolicy(string styleNonce, bool webAssembly = false) =>
        $"default-src 'self'; script-src 'self'{(webAssembly ? " 'wasm-unsafe-eval'" : "")}; style-src 'self' 'nonce-{styleNonce}'; style-src-attr 'unsafe-inline'; " +
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The nonce this response's policy allows <c>&lt;style&gt;</c> elements with: 128 random bits, new for every
    /// response, so it is no secret worth keeping (a page hands it to its own script in a data attribute).
    /// </summary>
    public static string StyleNonce(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Items[NonceKey] is not string nonce)
        {
            nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            http.Items[NonceKey] = nonce;
        }

        return nonce;
    }

    /// <summary>
    /// Lets this response's page compile WebAssembly (<c>'wasm-unsafe-eval'</c>): call it from the handler of the page that
    /// needs it, once it knows it renders that page (not for its error page). The rest of the policy stays as it is.
    /// </summary>
    public static void AllowWebAssembly(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy(StyleNonce(http), webAssembly: true);
    }

    public static IApplicationBuilder UseWebSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!WebPaths.IsApi(http.Request.Path))
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy(StyleNonce(http));
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
        }

        await next(http);
    });
}
