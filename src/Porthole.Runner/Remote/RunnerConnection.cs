using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;

namespace Porthole.Runner.Remote;

/// <summary>One call of the runner protocol: its method and path (<see cref="RunnerHttp"/>), the node it is about, a fresh body for each try.</summary>
public sealed record ServerCall(HttpMethod Method, string Path, long? NodeId, TimeSpan Timeout)
{
    /// <summary>Makes the request's body (again for each try); null for none.</summary>
    public Func<HttpContent>? Body { get; init; }

    /// <summary>The answer's body is read by the caller as a stream (a blob) rather than buffered.</summary>
    public bool Streamed { get; init; }

    public override string ToString() => $"{Method} {Path.Split('?')[0]}";

    /// <summary>A call whose body is <paramref name="value"/> as JSON (<see cref="PlanJson"/>).</summary>
    public static Func<HttpContent> Json<T>(T value) => () =>
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, PlanJson.Options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    };
}

/// <summary>
/// A remote runner's HTTP connection to its server: every call signed with the runner token, a call about a node with
/// the node's lease token (<see cref="LeaseBook"/>), each within its own time limit. A transient failure (no connection,
/// a reset, no answer in time, 502/503/504) is an <see cref="HttpRequestException"/>; <see cref="SendRetryingAsync"/> asks
/// again (<see cref="RetryDelays"/>) until it gets an answer, its caller gives up, or the runner stops (plus
/// <see cref="StopGrace"/>, for the last reports of the nodes the stop ended). A 401 tells <see cref="RunnerRefusal"/>.
/// Neither token ever reaches a message or a log line.
/// </summary>
public sealed partial class RunnerConnection : IDisposable
{
    /// <summary>How long a call may take, unless it says otherwise.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long reports keep being retried after the runner was asked to stop.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private const int MaxProblemBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly string _root;
    private readonly RemoteRunnerOptions _remote;
    private readonly LeaseBook _leases;
    private readonly RunnerRefusal _refusal;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _givingUp;
    private readonly CancellationTokenRegistration _stopping;

    public RunnerConnection(
        RemoteRunnerOptions remote, LeaseBook leases, RunnerRefusal refusal, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<RunnerConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(lifetime);
        _remote = remote;
        _leases = leases;
        _refusal = refusal;
        _time = time;
        _logger = logger;
        _root = remote.Server.AbsoluteUri.TrimEnd('/');
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", remote.Token.Trim());
        _http.DefaultRequestHeaders.UserAgent.TryParseAdd($"porthole-runner/{RemoteRegistration.Version}");
        _givingUp = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _stopping = lifetime.ApplicationStopping.Register(() => _givingUp.CancelAfter(StopGrace));
    }

    /// <summary>The server's address, as shown to people.</summary>
    public string Server => _root;

    /// <summary>Makes the call once.</summary>
    /// <exception cref="HttpRequestException">A transient failure (<see cref="ServerUnavailableException"/> when the server said so).</exception>
    public async Task<ServerReply> SendOnceAsync(ServerCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var timeout = new CancellationTokenSource(call.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(call.Method, _root + call.Path) { Content = call.Body?.Invoke() };
        string? lease = null;
        if (call.NodeId is { } nodeId && _leases.TokenOf(nodeId) is { } held)
        {
            lease = held;
            request.Headers.TryAddWithoutValidation(RunnerHttp.LeaseHeader, held);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, call.Streamed ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, linked.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"The server did not answer {call} within {call.Timeout.TotalSeconds:0} s.", new TimeoutException(e.Message));
        }
        catch (IOException e)
        {
            throw new HttpRequestException($"{call} failed: {Scrub(e.Message, lease)}", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return new ServerReply(response, null);
        }

        string problem;
        try
        {
            problem = Scrub(await ProblemAsync(response, linked.Token), lease);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            problem = $"the server answered HTTP {(int)response.StatusCode}";
        }

        if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
            or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
        {
            var retryAfter = RetryAfter(response);
            var status = response.StatusCode;
            response.Dispose();
            throw new ServerUnavailableException($"{call}: HTTP {(int)status}: {problem}", status, retryAfter);
        }

        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            _refusal.Refuse(problem);
        }

        return new ServerReply(response, problem);
    }

    /// <summary>
    /// Makes the call until the server answers it (a success or a refusal), <paramref name="cancellationToken"/> ends, or
    /// the runner stops; with <paramref name="limit"/>, for at most that long.
    /// </summary>
    /// <exception cref="HttpRequestException">The runner stopped before the server answered.</exception>
    /// <exception cref="InvalidOperationException">The server did not answer within <paramref name="limit"/>.</exception>
    public async Task<ServerReply> SendRetryingAsync(ServerCall call, CancellationToken cancellationToken, TimeSpan? limit = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _givingUp.Token);
        var started = _time.GetTimestamp();
        for (var failures = 0; ; failures++)
        {
            HttpRequestException failure;
            try
            {
                return await SendOnceAsync(call, linked.Token);
            }
            catch (HttpRequestException e) when (!linked.IsCancellationRequested)
            {
                failure = e;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new HttpRequestException($"Gave up {call}: the runner is stopping.", e);
            }

            var delay = failure is ServerUnavailableException { RetryAfter: { } asked } ? TimeSpan.FromTicks(Math.Min(asked.Ticks, RetryDelays.MaxRetryAfter.Ticks)) : RetryDelays.After(failures);
            if (limit is { } most && _time.GetElapsedTime(started) + delay > most)
            {
                throw new InvalidOperationException($"The server did not answer {call} for {most.TotalSeconds:0} s: {failure.Message}", failure);
            }

            if (failures % 10 == 0)
            {
                LogRetrying(_logger, call.ToString(), delay.TotalSeconds, failure.Message);
            }

            try
            {
                await Task.Delay(delay, _time, linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new HttpRequestException($"Gave up {call}: the runner is stopping ({failure.Message}).", failure);
            }
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _givingUp.Dispose();
        _http.Dispose();
    }

    /// <summary>A refusal's reason: the ProblemDetails' detail (or title), one line, at most 500 characters.</summary>
    private static async Task<string> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var buffer = new byte[MaxProblemBytes];
        var length = 0;
        await using (var body = await response.Content.ReadAsStreamAsync(ct))
        {
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
            {
                length += read;
            }
        }

        string? text = null;
        try
        {
            using var json = JsonDocument.Parse(buffer.AsMemory(0, length));
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                text = Field(json.RootElement, "detail") ?? Field(json.RootElement, "title");
            }
        }
        catch (JsonException)
        {
            text = Encoding.UTF8.GetString(buffer, 0, Math.Min(length, 500));
        }

        var status = (int)response.StatusCode;
        text = string.IsNullOrWhiteSpace(text) ? $"the server answered HTTP {status}" : string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return text.Length > 500 ? text[..500] + "…" : text;
    }

    private static string? Field(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta is { } delta && delta >= TimeSpan.Zero ? delta
        : response.Headers.TryGetValues("Retry-After", out var values) && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds)
        : null;

    /// <summary>Keeps the runner token and the call's lease token out of what the server or the network said.</summary>
    private string Scrub(string text, string? lease)
    {
        var token = _remote.Token.Trim();
        if (token.Length > 0)
        {
            text = text.Replace(token, "***", StringComparison.Ordinal);
        }

        return string.IsNullOrEmpty(lease) ? text : text.Replace(lease, "***", StringComparison.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Call} failed, asking again in {Seconds} s: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string call, double seconds, string reason);
}
