using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Porthole.Contracts.Plans;

namespace Porthole.Runner.Remote;

/// <summary>
/// The server's answer to one call of the runner protocol that was not a transient failure: a success, or a refusal
/// with the server's reason (<see cref="Problem"/>, the ProblemDetails' <c>detail</c>). The caller disposes it.
/// </summary>
public sealed class ServerReply : IDisposable
{
    internal ServerReply(HttpResponseMessage response, string? problem)
    {
        Response = response;
        Problem = problem ?? $"the server answered HTTP {(int)response.StatusCode}";
    }

    /// <summary>The HTTP response; its content is buffered unless the call asked for a stream.</summary>
    public HttpResponseMessage Response { get; }

    public HttpStatusCode Status => Response.StatusCode;

    public bool Succeeded => Response.IsSuccessStatusCode;

    /// <summary>204: the call succeeded with nothing to say (no node queued, no cache found).</summary>
    public bool NoContent => Status == HttpStatusCode.NoContent;

    /// <summary>The node is not this runner's (any more): no such node (404), another runner's (403), not the current lease (409).</summary>
    public bool NotHeld => Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Conflict;

    /// <summary>What the server said when it refused the call (one line, without any token); for a success, just its status.</summary>
    public string Problem { get; }

    /// <summary>The answer's JSON body.</summary>
    /// <exception cref="InvalidOperationException">The body is not the JSON expected.</exception>
    public async Task<T> ReadAsync<T>(CancellationToken cancellationToken)
    {
        try
        {
            return await Response.Content.ReadFromJsonAsync<T>(PlanJson.Options, cancellationToken)
                ?? throw new InvalidOperationException($"The server answered {typeof(T).Name} with an empty body.");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"The server's answer could not be read as {typeof(T).Name}: {e.Message}", e);
        }
    }

    public void Dispose() => Response.Dispose();
}

/// <summary>
/// The server could not take a call for now (502, 503 or 504, or 408 and 429): worth asking again, after
/// <see cref="RetryAfter"/> when it said how long.
/// </summary>
public sealed class ServerUnavailableException : HttpRequestException
{
    public ServerUnavailableException(string message, HttpStatusCode status, TimeSpan? retryAfter)
        : base(message, null, status)
    {
        RetryAfter = retryAfter;
    }

    public ServerUnavailableException()
    {
    }

    public ServerUnavailableException(string message)
        : base(message)
    {
    }

    public ServerUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>How long the server asked the runner to wait (its <c>Retry-After</c>), if it said.</summary>
    public TimeSpan? RetryAfter { get; }
}
