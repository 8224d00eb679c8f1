using Microsoft.Extensions.Hosting;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Server.Data;

namespace Porthole.Server.Runners;

/// <summary>
/// The built-in runner's door to <see cref="RunnerService"/>. What a remote runner gets from its HTTP client's retries
/// (a 503 while the database is away is asked again), the in-process runner gets here: a node's completion and its SSH
/// reports, which nothing else would send again, are retried while the database cannot be reached
/// (<see cref="DatabaseFaults"/>), until the server stops; so an outage delays a node's result instead of losing it.
/// Log chunks and step reports need no help: <c>LogSpool</c> sends them again at its next turn. Everything else passes
/// straight through (a lease or heartbeat that fails is the runner loop's to try again).
/// </summary>
public sealed class InProcessRunnerProtocol(RunnerService server, IHostApplicationLifetime lifetime, TimeProvider time) : IRunnerProtocol
{
    public Task<NodeAssignment?> LeaseAsync(string runnerName, CancellationToken cancellationToken) => server.LeaseAsync(runnerName, cancellationToken);

    public Task<HeartbeatReply> HeartbeatAsync(long nodeId, CancellationToken cancellationToken) => server.HeartbeatAsync(nodeId, cancellationToken);

    public Task<LogAppendResult> AppendLogAsync(long nodeId, long offset, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) =>
        server.AppendLogAsync(nodeId, offset, chunk, cancellationToken);

    public Task ReportStepAsync(long nodeId, StepReport report, CancellationToken cancellationToken) => server.ReportStepAsync(nodeId, report, cancellationToken);

    public Task CompleteNodeAsync(long nodeId, NodeCompletion completion, CancellationToken cancellationToken) =>
        UntilTheDatabaseAnswersAsync(ct => server.CompleteNodeAsync(nodeId, completion, ct), cancellationToken);

    public Task ReportSshEndpointAsync(long nodeId, SshEndpointInfo endpoint, CancellationToken cancellationToken) =>
        UntilTheDatabaseAnswersAsync(ct => server.ReportSshEndpointAsync(nodeId, endpoint, ct), cancellationToken);

    public Task ReportSshEventAsync(long nodeId, SshEvent sshEvent, CancellationToken cancellationToken) =>
        UntilTheDatabaseAnswersAsync(ct => server.ReportSshEventAsync(nodeId, sshEvent, ct), cancellationToken);

    public Task HoldNodeAsync(long nodeId, NodeCompletion held, CancellationToken cancellationToken) =>
        UntilTheDatabaseAnswersAsync(ct => server.HoldNodeAsync(nodeId, held, ct), cancellationToken);

    public Task ReportSshWindowAsync(long nodeId, SshWindow window, CancellationToken cancellationToken) =>
        UntilTheDatabaseAnswersAsync(ct => server.ReportSshWindowAsync(nodeId, window, ct), cancellationToken);

    public Task<BlobUploadResult> UploadBlobAsync(long nodeId, string digest, long size, long offset, Stream content, CancellationToken cancellationToken) =>
        server.UploadBlobAsync(nodeId, digest, size, offset, content, cancellationToken);

    public Task<BlobDownload?> DownloadBlobAsync(long nodeId, string digest, long offset, CancellationToken cancellationToken) =>
        server.DownloadBlobAsync(nodeId, digest, offset, cancellationToken);

    public Task<CacheHit?> FindCacheAsync(long nodeId, CacheQuery query, CancellationToken cancellationToken) => server.FindCacheAsync(nodeId, query, cancellationToken);

    public Task<CacheSaveResult> SaveCacheAsync(long nodeId, CacheEntry entry, CancellationToken cancellationToken) => server.SaveCacheAsync(nodeId, entry, cancellationToken);

    public Task PersistWorkspaceAsync(long nodeId, WorkspaceLayer layer, CancellationToken cancellationToken) => server.PersistWorkspaceAsync(nodeId, layer, cancellationToken);

    public Task<WorkspaceAttach> AttachWorkspaceAsync(long nodeId, CancellationToken cancellationToken) => server.AttachWorkspaceAsync(nodeId, cancellationToken);

    public Task StoreArtifactAsync(long nodeId, ArtifactFile artifact, CancellationToken cancellationToken) => server.StoreArtifactAsync(nodeId, artifact, cancellationToken);

    public Task StoreRecordingAsync(long nodeId, SessionRecordingFile recording, CancellationToken cancellationToken) =>
        server.StoreRecordingAsync(nodeId, recording, cancellationToken);

    public Task StoreTestResultsAsync(long nodeId, IReadOnlyList<TestCaseResult> cases, CancellationToken cancellationToken) =>
        server.StoreTestResultsAsync(nodeId, cases, cancellationToken);

    public Task<IReadOnlyList<TestTiming>> TestTimingsAsync(long nodeId, CancellationToken cancellationToken) => server.TestTimingsAsync(nodeId, cancellationToken);

    public Task<SiblingNodes> SiblingNodesAsync(long nodeId, CancellationToken cancellationToken) => server.SiblingNodesAsync(nodeId, cancellationToken);

    /// <summary>Runs <paramref name="call"/> again while it fails for the database being away: after 200 ms, 1 s, 3 s, then every 5 s.</summary>
    private async Task UntilTheDatabaseAnswersAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        for (var failures = 0; ; failures++)
        {
            try
            {
                await call(cancellationToken);
                return;
            }
            catch (Exception e) when (DatabaseFaults.IsUnreachable(e) && !linked.IsCancellationRequested)
            {
                var wait = failures switch { 0 => TimeSpan.FromMilliseconds(200), 1 => TimeSpan.FromSeconds(1), 2 => TimeSpan.FromSeconds(3), _ => TimeSpan.FromSeconds(5) };
                try
                {
                    await Task.Delay(wait, time, linked.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The server is stopping: its next start ends this node (its runner died with the process).
                    throw new InvalidOperationException("The server stopped while its database could not be reached.", e);
                }
            }
        }
    }
}
