using System.Globalization;
using Porthole.Contracts.Runners;

namespace Porthole.Runner.Remote;

/// <summary>The job-data half of the protocol over HTTP: blobs by offset, caches, workspace layers, artifacts, session recordings, test results.</summary>
public sealed partial class HttpRunnerProtocol
{
    /// <summary>One window of a blob, once (<c>BlobTransfer</c> retries from what the server stored); refused: nothing kept.</summary>
    public async Task<BlobUploadResult> UploadBlobAsync(long nodeId, string digest, long size, long offset, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (leases.TokenOf(nodeId) is null)
        {
            return new BlobUploadResult(BlobUploadOutcome.Refused, 0, "this runner holds no lease of the node");
        }

        var call = new ServerCall(HttpMethod.Put, RunnerHttp.BlobUpload(nodeId, digest, size, offset), nodeId, BlobTimeout) { Body = () => Octets(content) };
        using var reply = await connection.SendOnceAsync(call, cancellationToken);
        return reply.Succeeded
            ? await reply.ReadAsync<BlobUploadResult>(cancellationToken)
            : new BlobUploadResult(BlobUploadOutcome.Refused, 0, reply.Problem);
    }

    public async Task<BlobDownload?> DownloadBlobAsync(long nodeId, string digest, long offset, CancellationToken cancellationToken)
    {
        if (leases.TokenOf(nodeId) is null)
        {
            return null;
        }

        var call = new ServerCall(HttpMethod.Get, RunnerHttp.BlobDownload(nodeId, digest, offset), nodeId, BlobTimeout) { Streamed = true };
        var reply = await connection.SendOnceAsync(call, cancellationToken);
        try
        {
            if (!reply.Succeeded || reply.NoContent)
            {
                reply.Dispose();
                return null;
            }

            var header = reply.Response.Headers.TryGetValues(RunnerHttp.BlobSizeHeader, out var values) ? values.FirstOrDefault() : null;
            if (!long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                reply.Dispose();
                throw new InvalidOperationException($"The server sent a blob without its size ({RunnerHttp.BlobSizeHeader}).");
            }

            return new BlobDownload(size, new ResponseStream(reply, await reply.Response.Content.ReadAsStreamAsync(cancellationToken)));
        }
        catch
        {
            reply.Dispose();
            throw;
        }
    }

    public async Task<CacheHit?> FindCacheAsync(long nodeId, CacheQuery query, CancellationToken cancellationToken)
    {
        using var reply = await SendJobDataAsync(new ServerCall(HttpMethod.Post, RunnerHttp.FindCache(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(query) }, cancellationToken);
        return reply is { Succeeded: true, NoContent: false } ? await reply.ReadAsync<CacheHit>(cancellationToken) : null;
    }

    public async Task<CacheSaveResult> SaveCacheAsync(long nodeId, CacheEntry entry, CancellationToken cancellationToken)
    {
        using var reply = await SendJobDataAsync(new ServerCall(HttpMethod.Post, RunnerHttp.SaveCache(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(entry) }, cancellationToken);
        return reply switch
        {
            null => new CacheSaveResult(CacheSaveOutcome.Refused, "this runner holds no lease of the node"),
            { Succeeded: true } => await reply.ReadAsync<CacheSaveResult>(cancellationToken),
            _ => new CacheSaveResult(CacheSaveOutcome.Refused, reply.Problem),
        };
    }

    public Task PersistWorkspaceAsync(long nodeId, WorkspaceLayer layer, CancellationToken cancellationToken) =>
        StoreAsync(new ServerCall(HttpMethod.Post, RunnerHttp.Workspace(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(layer) }, "workspace layer", cancellationToken);

    public Task<WorkspaceAttach> AttachWorkspaceAsync(long nodeId, CancellationToken cancellationToken) =>
        ReadAsync<WorkspaceAttach>(new ServerCall(HttpMethod.Get, RunnerHttp.Workspace(nodeId), nodeId, RunnerConnection.CallTimeout), "workspace", cancellationToken);

    public Task StoreArtifactAsync(long nodeId, ArtifactFile artifact, CancellationToken cancellationToken) =>
        StoreAsync(new ServerCall(HttpMethod.Post, RunnerHttp.Artifacts(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(artifact) }, "artifact", cancellationToken);

    public Task StoreRecordingAsync(long nodeId, SessionRecordingFile recording, CancellationToken cancellationToken) =>
        StoreAsync(new ServerCall(HttpMethod.Post, RunnerHttp.Recordings(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(recording) }, "session recording", cancellationToken);

    public Task StoreTestResultsAsync(long nodeId, IReadOnlyList<TestCaseResult> cases, CancellationToken cancellationToken) =>
        StoreAsync(new ServerCall(HttpMethod.Post, RunnerHttp.TestResults(nodeId), nodeId, RunnerConnection.CallTimeout) { Body = ServerCall.Json(cases) }, "test results", cancellationToken);

    public async Task<IReadOnlyList<TestTiming>> TestTimingsAsync(long nodeId, CancellationToken cancellationToken) =>
        await ReadAsync<List<TestTiming>>(new ServerCall(HttpMethod.Get, RunnerHttp.TestTimings(nodeId), nodeId, RunnerConnection.CallTimeout), "test timings", cancellationToken);

    public Task<SiblingNodes> SiblingNodesAsync(long nodeId, CancellationToken cancellationToken) =>
        ReadAsync<SiblingNodes>(new ServerCall(HttpMethod.Get, RunnerHttp.Siblings(nodeId), nodeId, RunnerConnection.CallTimeout), "sibling nodes", cancellationToken);

    private async Task StoreAsync(ServerCall call, string what, CancellationToken cancellationToken)
    {
        using var reply = await SendJobDataAsync(call, cancellationToken) ?? throw NoLease(call, what);
        if (!reply.Succeeded)
        {
            throw Refused(what, reply);
        }
    }

    private async Task<T> ReadAsync<T>(ServerCall call, string what, CancellationToken cancellationToken)
    {
        using var reply = await SendJobDataAsync(call, cancellationToken) ?? throw NoLease(call, what);
        return reply.Succeeded ? await reply.ReadAsync<T>(cancellationToken) : throw Refused(what, reply);
    }

    /// <summary>A job-data call, retried for <see cref="JobDataPatience"/>; null when the runner holds no lease of the node.</summary>
    private async Task<ServerReply?> SendJobDataAsync(ServerCall call, CancellationToken cancellationToken) =>
        leases.TokenOf(call.NodeId!.Value) is null ? null : await connection.SendRetryingAsync(call, cancellationToken, JobDataPatience);

    private static InvalidOperationException NoLease(ServerCall call, string what) =>
        new($"The {what} of node {call.NodeId} was not sent: this runner holds no lease of the node.");

    private static StreamContent Octets(Stream content)
    {
        var body = new StreamContent(content);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        return body;
    }
}
