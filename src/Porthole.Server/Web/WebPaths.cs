using Microsoft.AspNetCore.Http;

namespace Porthole.Server.Web;

/// <summary>Which requests are the API's (answered with ProblemDetails, never redirected) and which are the web's pages.</summary>
public static class WebPaths
{
    public const string SignIn = "/sign-in";
    public const string SignOut = "/sign-out";
    public const string Projects = "/projects";

    /// <summary>Path prefixes of the API: Porthole's, CircleCI's (<c>/api/v2</c>) and Travis's (<c>/job</c>, <c>/v3</c>). A page must not live under them.</summary>
    private static readonly PathString[] ApiPrefixes = ["/api", "/job", "/v3", "/openapi"];

    public static bool IsApi(PathString path) => ApiPrefixes.Any(path.StartsWithSegments);

    /// <summary>Methods that change something: a browser's cookie alone must never be enough for these on the API.</summary>
    public static bool IsUnsafe(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>Whether the caller is a browser asking for a page (its Accept names text/html).</summary>
    public static bool AcceptsHtml(HttpRequest request) =>
        request.Headers.Accept.Any(value => value?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);
}
