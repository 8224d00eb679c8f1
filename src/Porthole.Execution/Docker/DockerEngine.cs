using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;

namespace Porthole.Execution.Docker;

/// <summary>The runner's connection to its Docker engine, made once and shared by every docker node.</summary>
public sealed class DockerEngine(DockerSettings settings) : IDisposable
{
    private readonly Lazy<DockerClient> _client = new(() => new DockerClientBuilder().WithEndpoint(settings.Endpoint).Build());

    public DockerSettings Settings => settings;

    internal IDockerClient Client => _client.Value;

    /// <summary>Null when the engine answers; otherwise why not, in one line.</summary>
    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await Client.System.PingAsync(timeout.Token);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return $"no Docker engine answers at {settings.Endpoint}: {Reason(e)}";
        }
    }

    /// <summary>The engine's own words for a failed call (its JSON <c>message</c>), or the transport's.</summary>
    public static string Reason(Exception exception)
    {
        switch (exception)
        {
            case DockerApiException api:
                try
                {
                    using var body = JsonDocument.Parse(api.ResponseBody ?? "null");
                    if (body.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text)
                    {
                        return text.Trim();
                    }
                }
                catch (JsonException)
                {
                }
                catch (InvalidOperationException)
                {
                }

                return string.IsNullOrWhiteSpace(api.ResponseBody) ? $"the engine answered {(int)api.StatusCode}" : api.ResponseBody.Trim();
            case HttpRequestException { InnerException: SocketException socket }:
                return socket.Message;
            case OperationCanceledException:
                return "it did not answer in time";
            default:
                return exception.InnerException is { } inner && exception is HttpRequestException ? inner.Message : exception.Message;
        }
    }

    /// <summary>
    /// Removes the containers and networks of a node a crashed runner left (by its tag); returns how many containers.
    /// An engine that does not answer leaves nothing to remove: 0.
    /// </summary>
    public async Task<int> RemoveLeftoversAsync(string tag, TimeProvider time)
    {
        if (await ProblemAsync(CancellationToken.None) is not null)
        {
            return 0;
        }

        return await NodeContainers.RemoveTaggedAsync(Client, tag, time, TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
