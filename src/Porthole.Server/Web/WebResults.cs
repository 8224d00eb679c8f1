using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Porthole.Server.Web.Errors;

namespace Porthole.Server.Web;

/// <summary>What a page endpoint returns: a page rendered on the server (static SSR), or the web's error page.</summary>
public static class WebResults
{
    /// <summary>Renders <typeparamref name="TPage"/> with its parameters given by name, e.g. <c>new { Projects = rows }</c>.</summary>
    public static RazorComponentResult<TPage> Page<TPage>(object? parameters = null, int status = StatusCodes.Status200OK)
        where TPage : IComponent =>
        new(parameters ?? new Dictionary<string, object?>()) { StatusCode = status };

    /// <summary>The error page with a status and a sentence saying what happened and what to do next.</summary>
    public static RazorComponentResult<ErrorPage> Error(int status, string? message = null) =>
        Page<ErrorPage>(new { Status = status, Message = message ?? ErrorPage.DefaultMessage(status) }, status);

    public static RazorComponentResult<ErrorPage> NotFound(string message) => Error(StatusCodes.Status404NotFound, message);

    /// <summary>
    /// The error page for the API's answer to a lookup (<c>Lookups</c>), with its sentence. A malformed id in a page's
    /// address is a page that does not exist: 404, not the API's 400.
    /// </summary>
    public static RazorComponentResult<ErrorPage> Problem(ProblemHttpResult problem) => Error(
        problem.StatusCode == StatusCodes.Status400BadRequest ? StatusCodes.Status404NotFound : problem.StatusCode,
        problem.ProblemDetails.Detail);
}
