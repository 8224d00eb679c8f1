using Porthole.Contracts.Runners;

namespace Porthole.Server.Runners;

/// <summary>The job-data half of the protocol, handed to the job-data store (<see cref="JobData.JobDataStore"/>).</summary>
public sealed partial class RunnerService
{
    public Task<BlobUploadResult> UploadBlobAsync(long nodeId, string digest, long size, long offset, Stream content, CancellationToken cancellationToken) =>
        jobData.Blobs.UploadAsync(nodeId, digest, size, offset, content, cancellationToken);

    public Task<BlobDownload?> DownloadBlobAsync(long nodeId, string digest, long offset, CancellationToken cancellationToken) =>
        jobData.DownloadAsync(nodeId, digest, offset, cancellationToken);

    public Task<CacheHit?> FindCacheAsync(long nodeId, CacheQuery query, CancellationToken cancellationToken) =>
        jobData.Caches.FindAsync(nodeId, query, cancellationToken);

    public Task<CacheSaveResult> SaveCacheAsync(long nodeId, CacheEntry entry, CancellationToken cancellationToken) =>
        jobData.Caches.SaveAsync(nodeId, entry, cancellationToken);

    public Task PersistWorkspaceAsync(long nodeId, WorkspaceLayer layer, CancellationToken cancellationToken) =>
        jobData.Workspaces.PersistAsync(nodeId, layer, cancellationToken);

    public Task<WorkspaceAttach> AttachWorkspaceAsync(long nodeId, CancellationToken cancellationToken) =>
        jobData.Workspaces.AttachAsync(nodeId, cancellationToken);

    public Task StoreArtifactAsync(long nodeId, ArtifactFile artifact, CancellationToken cancellationToken) =>
        jobData.Artifacts.StoreAsync(nodeId, artifact, cancellationToken);

    public Task StoreRecordingAsync(long nodeId, SessionRecordingFile recording, CancellationToken cancellationToken) =>
        jobData.Recordings.StoreAsync(nodeId, recording, cancellationToken);

    public Task StoreTestResultsAsync(long nodeId, IReadOnlyList<TestCaseResult> cases, CancellationToken cancellationToken) =>
        jobData.Tests.StoreAsync(nodeId, cases, cancellationToken);

    public Task<IReadOnlyList<TestTiming>> TestTimingsAsync(long nodeId, CancellationToken cancellationToken) =>
        jobData.Tests.TimingsAsync(nodeId, cancellationToken);
}
