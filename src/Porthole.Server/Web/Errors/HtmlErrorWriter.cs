using Microsoft.AspNetCore.Http;

namespace Porthole.Server.Web.Errors;

/// <summary>
/// Renders the errors the server answers itself (no such page, a refused form, an exception) as the web's error page
/// when a browser asks for a page; the API's paths, and clients that do not ask for HTML, keep getting ProblemDetails.
/// It must come before the default JSON writer (see <see cref="WebApp.AddWeb"/>).
/// </summary>
public sealed class HtmlErrorWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) =>
        !WebPaths.IsApi(context.HttpContext.Request.Path) && WebPaths.AcceptsHtml(context.HttpContext.Request);

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var status = context.ProblemDetails.Status ?? http.Response.StatusCode;

        // A detail the server's own code wrote is meant for people; an exception's text never is.
        var message = context.Exception is null ? context.ProblemDetails.Detail : null;
        await WebResults.Error(status, message).ExecuteAsync(http);
    }
}
