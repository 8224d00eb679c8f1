using System.Globalization;
using System.Text;
using System.Text.Json;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Client;

/// <summary>
/// Follows a node's live log (<c>GET /api/jobs/{id}/log/stream</c>, server-sent events) and copies its text to standard
/// output as it comes. When the stream drops it reconnects from the byte after the last one written, so no byte is
/// lost or written twice.
/// </summary>
public sealed class LogFollower
{
    /// <summary>Reconnections tried in a row without receiving anything before giving up.</summary>
    public const int MaxReconnects = 5;

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LastBackoff = TimeSpan.FromSeconds(4);

    private readonly PortholeClient _client;
    private readonly CliContext _context;
    private readonly Stream _output;

    /// <param name="output">Where the log's bytes go: standard output as bytes (the default), or a stream in front of it.</param>
    public LogFollower(PortholeClient client, CliContext context, Stream? output = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(context);
        _client = client;
        _context = context;
        _output = output ?? context.RawOutput;
    }

    /// <summary>Copies the log until its <c>end</c> event and returns the node's final status.</summary>
    public async Task<string> FollowAsync(long jobId, int node, int? attempt, CancellationToken cancellationToken)
    {
        long? next = null;
        var failures = 0;
        while (true)
        {
            string reason;
            try
            {
                using var response = await _client.OpenAsync(StreamPath(jobId, node, attempt, next), "text/event-stream", cancellationToken);
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                await foreach (var sse in ServerSentEvents.ReadAsync(body, cancellationToken))
                {
                    if (sse.Event == "log")
                    {
                        next = await WriteAsync(Parse<LogEvent>(sse.Data), next, cancellationToken);
                        failures = 0;
                    }
                    else if (sse.Event == "end")
                    {
                        var status = Parse<LogEndEvent>(sse.Data).Status;
                        return string.IsNullOrEmpty(status) ? "unknown" : status;
                    }
                }

                reason = "the stream ended before the job did";
            }
            catch (ServerUnreachableException e)
            {
                reason = e.Message;
            }
            catch (ApiException e) when (PortholeClient.IsRetryable(e.StatusCode))
            {
                reason = e.Message;
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                reason = e.Message;
            }

            failures++;
            if (failures > MaxReconnects)
            {
                throw new CliException(
                    $"the log stream of job {jobId} node {node} broke off {failures} times in a row ({reason}); run the same command again to go on");
            }

            await Task.Delay(Backoff(failures), _context.TimeProvider, cancellationToken);
        }
    }

    public static string StreamPath(long jobId, int node, int? attempt, long? offset)
    {
        var path = new StringBuilder(PortholeClient.Path("jobs", jobId, "log", "stream"));
        path.Append(CultureInfo.InvariantCulture, $"?node={node}");
        if (offset is { } o)
        {
            path.Append(CultureInfo.InvariantCulture, $"&offset={o}");
        }

        if (attempt is { } a)
        {
            path.Append(CultureInfo.InvariantCulture, $"&attempt={a}");
        }

        return path.ToString();
    }

    /// <summary>Writes the part of an event not written yet and returns the offset to resume from.</summary>
    private async Task<long> WriteAsync(LogEvent logEvent, long? written, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(logEvent.Text);

        // The server says where the event ends in the stored log; an older server only gives the start.
        var end = logEvent.Next > logEvent.Offset ? logEvent.Next : logEvent.Offset + bytes.Length;
        var skip = 0;
        if (written is { } already && logEvent.Offset < already)
        {
            if (end <= already)
            {
                return already;
            }

            // Part of this event was written before the drop. Cut it only when the text maps byte for byte onto the stored log.
            if (end - logEvent.Offset == bytes.Length)
            {
                skip = (int)(already - logEvent.Offset);
            }
        }

        await _context.Output.FlushAsync(cancellationToken);
        await _output.WriteAsync(bytes.AsMemory(skip), cancellationToken);
        await _output.FlushAsync(cancellationToken);
        return written is { } previous ? Math.Max(previous, end) : end;
    }

    private T Parse<T>(string data)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(data, ApiJson.Options) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new CliException($"the server at {_client.Server} sent a log event this porthole cannot read: {e.Message}");
        }
    }

    private static TimeSpan Backoff(int failures)
    {
        var delay = FirstBackoff * Math.Pow(2, failures - 1);
        return delay < LastBackoff ? delay : LastBackoff;
    }
}
