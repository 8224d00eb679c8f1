using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Porthole.Server.Data;

/// <summary>
/// Answers a request that failed because the database cannot be reached (<see cref="DatabaseFaults"/>) with 503 and
/// <c>Retry-After</c>, as ProblemDetails (<c>database_unavailable</c>; a browser asking for a page gets the web's error
/// page): the request was fine, the server will be again once the database is back, and a remote runner asks again then
/// (its log stays spooled meanwhile). Never the exception's text, which could carry the connection string.
/// Any other exception is left to the default handler (500).
/// </summary>
public sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, DatabaseAvailability availability) : IExceptionHandler
{
    public const string Code = "database_unavailable";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (!DatabaseFaults.IsUnreachable(exception))
        {
            return false;
        }

        availability.Unreachable("a request", exception);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = DatabaseFaults.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "The database is unreachable",
            Detail = $"The server cannot reach its database just now. Ask again in {DatabaseFaults.RetryAfterSeconds} s.",
            Type = $"https://porthole.dev/problems/{Code}",
        };
        problem.Extensions["code"] = Code;

        // No Exception in the context: the detail above is for people, and the web's error page shows it. A client that
        // accepts neither JSON nor HTML gets the status and the header alone, still 503.
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem });
        return true;
    }
}
