using System.Globalization;
using Microsoft.AspNetCore.Http;
using Porthole.Contracts.Runners;
using Porthole.Data;

namespace Porthole.Server.Runners.Http;

/// <summary>
/// <c>PUT|GET /api/runner/nodes/{id}/blobs/{digest}</c>: a blob's bytes up at an offset (one window of at most
/// <see cref="RunnerHttp.MaxBlobChunk"/> per call) and down from an offset, with the node's lease, as
/// <see cref="IRunnerProtocol.UploadBlobAsync"/> and <see cref="IRunnerProtocol.DownloadBlobAsync"/>.
/// </summary>
public static class RunnerBlobApi
{
    public static Task<IResult> UploadAsync(
        long nodeId, string digest, long? size, long? offset, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
        RunnerProtocolApi.WithNodeAsync(http, db, time, nodeId, ct, async () =>
        {
            if (size is not { } total || total < 0 || offset is not { } at || at < 0 || at > total)
            {
                return RunnerInput.Bad("size (the whole blob's bytes) and offset (where this window starts, at most size) are required, 0 or more.");
            }

            if (http.Request.ContentLength is { } declared && declared > RunnerHttp.MaxBlobChunk)
            {
                return RunnerInput.TooLarge($"One upload call carries at most {RunnerHttp.MaxBlobChunk} bytes.");
            }

            RunnerBodies.Allow(http, RunnerHttp.MaxBlobChunk);
            try
            {
                return TypedResults.Ok(await runners.UploadBlobAsync(nodeId, digest, total, at, http.Request.Body, ct));
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return RunnerInput.TooLarge($"One upload call carries at most {RunnerHttp.MaxBlobChunk} bytes.");
            }
        });

    public static Task<IResult> DownloadAsync(
        long nodeId, string digest, long? offset, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
        RunnerProtocolApi.WithNodeAsync(http, db, time, nodeId, ct, async () =>
        {
            if (offset is < 0)
            {
                return RunnerInput.Bad("offset is 0 or more.");
            }

            if (await runners.DownloadBlobAsync(nodeId, digest, offset ?? 0, ct) is not { } download)
            {
                return Api.Problems.NotFound("blob_not_found", "The node may read no blob of that digest (its project's caches and its workflow's workspace only).");
            }

            http.Response.Headers[RunnerHttp.BlobSizeHeader] = download.Size.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Stream(download.Content, "application/octet-stream");
        });
}
