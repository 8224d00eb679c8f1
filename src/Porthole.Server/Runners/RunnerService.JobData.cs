using Porthole.Contracts.Runners;

namespace Porthole.Server.Runners;

// TEMPORARY: the job-data half of the protocol, filled in by the server's job-data store (issue 11).
public sealed partial class RunnerService
{
    public Task<BlobUploadResult> UploadBlobAsync(long nodeId, string digest, long size, long offset, Stream content, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<BlobDownload?> DownloadBlobAsync(long nodeId, string digest, long offset, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<CacheHit?> FindCacheAsync(long nodeId, CacheQuery query, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<CacheSaveResult> SaveCacheAsync(long nodeId, CacheEntry entry, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task PersistWorkspaceAsync(long nodeId, WorkspaceLayer layer, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<WorkspaceAttach> AttachWorkspaceAsync(long nodeId, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task StoreArtifactAsync(long nodeId, ArtifactFile artifact, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task StoreTestResultsAsync(long nodeId, IReadOnlyList<TestCaseResult> cases, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<TestTiming>> TestTimingsAsync(long nodeId, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}
