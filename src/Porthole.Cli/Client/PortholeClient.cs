using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Client;

/// <summary>
/// Porthole's API over HTTP. Answers come back as the server's JSON text (so <c>--json</c> prints it as it is) and
/// are read into the DTOs of <see cref="Porthole.Contracts.Api"/>. Failures are <see cref="ApiException"/> (the server
/// said no) or <see cref="ServerUnreachableException"/> (no answer).
/// </summary>
public sealed class PortholeClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    private readonly HttpClient _http;

    public PortholeClient(ServerAddress server, string token, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(token);
        Server = server;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = server.BaseUri;
        _http.Timeout = RequestTimeout;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("porthole-cli", "1.0"));
    }

    public ServerAddress Server { get; }

    public static PortholeClient FromLogin(CliContext context) => Create(Credentials.Resolve(context));

    public static PortholeClient Create(Credentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return new PortholeClient(credentials.Server, credentials.Token);
    }

    /// <summary>An API path with its variable parts escaped, e.g. <c>Path("projects", name, "pipelines")</c> → <c>api/projects/web/pipelines</c>.</summary>
    public static string Path(params object[] segments) =>
        "api/" + string.Join('/', segments.Select(s => Uri.EscapeDataString(Convert.ToString(s, System.Globalization.CultureInfo.InvariantCulture) ?? "")));

    public Task<string> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, body: null, cancellationToken);

    /// <summary>Sends a request with an optional JSON body and returns the answer's text.</summary>
    public async Task<string> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            // Serialized up front so the request has a Content-Length (no chunked upload for a proxy to trip on).
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), ApiJson.Options));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        using var response = await SendCheckedAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await ReadBodyAsync(request, response, cancellationToken);
    }

    /// <summary>Sends <paramref name="text"/> as the request's body, of type <paramref name="mediaType"/> in UTF-8, and returns the answer's text.</summary>
    public async Task<string> SendTextAsync(HttpMethod method, string path, string text, string mediaType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new ByteArrayContent(new System.Text.UTF8Encoding(false).GetBytes(text)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
        using var response = await SendCheckedAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await ReadBodyAsync(request, response, cancellationToken);
    }

    /// <summary>
    /// Starts a GET whose body is read as it arrives (a log, a live stream); the caller disposes the answer.
    /// The request timeout covers the wait for the headers only, so a long stream is not cut.
    /// </summary>
    public async Task<HttpResponseMessage> OpenAsync(string path, string? accept, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        return await SendCheckedAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Reads an answer into a DTO, with a one-line error when it is not what this CLI expects.</summary>
    public T Read<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, ApiJson.Options)
                ?? throw new JsonException("the answer was null");
        }
        catch (JsonException e)
        {
            throw new CliException($"the server at {Server} sent an answer this porthole cannot read ({typeof(T).Name}): {e.Message}");
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ServerUnreachableException(Server.Display, Reason(e), e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnreachableException(Server.Display, $"no answer within {RequestTimeout.TotalSeconds:0} seconds", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var text = await ReadBodyAsync(request, response, cancellationToken);
            throw ApiError(request, response, text);
        }
    }

    private async Task<string> ReadBodyAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ServerUnreachableException(Server.Display, $"the answer to {Describe(request)} broke off: {Reason(e)}", e);
        }
        catch (IOException e)
        {
            throw new ServerUnreachableException(Server.Display, $"the answer to {Describe(request)} broke off: {e.Message}", e);
        }
    }

    /// <summary>ProblemDetails' <c>detail</c> (else <c>title</c>) and <c>code</c>; a plain description when the body is not one.</summary>
    private ApiException ApiError(HttpRequestMessage request, HttpResponseMessage response, string body)
    {
        string? detail = null;
        string? title = null;
        string? code = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                detail = StringProperty(document.RootElement, "detail");
                title = StringProperty(document.RootElement, "title");
                code = StringProperty(document.RootElement, "code");
            }
        }
        catch (JsonException)
        {
            // Not ProblemDetails: a proxy's page, an empty body. Described by its status below.
        }

        var message = OneLine.Of(detail ?? title);
        if (message.Length == 0)
        {
            message = $"the server at {Server} answered {(int)response.StatusCode} {response.ReasonPhrase ?? response.StatusCode.ToString()} to {Describe(request)}";
        }

        return new ApiException(response.StatusCode, string.IsNullOrWhiteSpace(code) ? null : code, message);
    }

    private static string Describe(HttpRequestMessage request) =>
        request.RequestUri is { IsAbsoluteUri: true } uri ? $"{request.Method} {uri.PathAndQuery}" : $"{request.Method} /{request.RequestUri}";

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Reason(HttpRequestException e)
    {
        // HttpClient's outer message is often generic ("An error occurred while sending the request."); the socket's says why.
        Exception reason = e;
        while (reason.InnerException is { } inner && reason.Message.StartsWith("An error occurred", StringComparison.Ordinal))
        {
            reason = inner;
        }

        return OneLine.Of(reason.Message);
    }

    internal static bool IsRetryable(HttpStatusCode status) =>
        status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
}
