using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Runners;
using Porthole.Data;

namespace Porthole.Server.Runners.Http;

/// <summary>
/// <c>PUT /api/runner/nodes/{id}/log?offset=N</c>: a chunk of a node's log at a byte offset (bytes already stored are a
/// no-op, a gap is refused with the stored length, as in-process). A negative offset, a chunk over
/// <see cref="RunnerHttp.MaxLogChunk"/> or one past the server's log cap is refused before anything is stored.
/// </summary>
public static class RunnerLogApi
{
    /// <summary>What a node may write past the log cap: the runner's own notice that the log was cut.</summary>
    public const long CapSlack = 64 * 1024;

    public static Task<IResult> AppendAsync(
        long nodeId, long? offset, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, IOptions<PortholeOptions> options, CancellationToken ct) =>
        RunnerProtocolApi.WithNodeAsync(http, db, time, nodeId, ct, async () =>
        {
            if (offset is not { } at || at < 0)
            {
                return RunnerInput.Bad("offset is the byte offset of the chunk in the node's log: 0 or more.");
            }

            var body = await RunnerBodies.ReadAsync(http, RunnerHttp.MaxLogChunk, ct);
            if (body is null)
            {
                return RunnerInput.TooLarge($"A log chunk carries at most {RunnerHttp.MaxLogChunk} bytes; send the rest from the stored length.");
            }

            var cap = options.Value.LogCapBytes + CapSlack;
            if (at > cap || body.Length > cap - at)
            {
                return RunnerInput.Bad($"The chunk would end past the node's log cap ({options.Value.LogCapBytes} bytes).");
            }

            return TypedResults.Ok(await runners.AppendLogAsync(nodeId, at, body, ct));
        });
}

/// <summary>Reads request bodies within a bound, whatever the request says its length is.</summary>
public static class RunnerBodies
{
    /// <summary>Lets the request's body be up to <paramref name="max"/> bytes (the server's default is lower for blobs).</summary>
    public static void Allow(HttpContext http, long max)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = max;
        }
    }

    /// <summary>The whole body, or null when it is longer than <paramref name="max"/> (nothing more is read).</summary>
    public static async Task<byte[]?> ReadAsync(HttpContext http, int max, CancellationToken ct)
    {
        if (http.Request.ContentLength is { } declared && declared > max)
        {
            return null;
        }

        // The server's own limit (30 MB) stays: the rest of a refused body is read and dropped, so the answer arrives.
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        try
        {
            while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }
}
