using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.JobData;
using Porthole.Execution.Logging;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// <c>save_cache</c> (dialects.md §A5) and Travis's cache upload (§B12): renders the key on the node; a CircleCI key that
/// exists already is left alone (caches are immutable, the first writer wins); otherwise the node's tar archives the
/// paths (absolute, <c>~</c> as the node has it), the runner checks every entry, compresses, uploads and names it.
/// </summary>
internal sealed class SaveCacheHandler : IStepHandler
{
    public async Task<int> RunAsync(StepPlan step, StepScope scope)
    {
        var plan = step.SaveCache ?? throw new StepFailedException("The save_cache step has no key or paths.");
        var server = scope.RequireServer();
        var key = await CacheKeys.RenderAsync(plan.Key, scope);
        if (!plan.Replace && await server.FindCacheAsync(scope.Assignment.NodeId, new CacheQuery([key], Exact: true), CancellationToken.None) is not null)
        {
            await scope.SayAsync($"Skipping cache generation, cache already exists for key: {key}");
            return 0;
        }

        var paths = CachePaths.ForSave(scope, plan.Paths);
        await scope.SayAsync("Creating cache archive...");
        using var spool = SpoolFile.Create(scope.SpoolDirectory, "cache");
        string digest = string.Empty;
        long size = 0;
        var run = await NodeTar.CreateAsync(scope, paths.Base, paths.Names, async tar =>
        {
            await using var file = spool.OpenWrite(scope.Assignment.CacheCapBytes);
            await using (var compressed = new BufferedStream(ZstdStreams.Compress(file, ZstdStreams.FastLevel, leaveOpen: true), ArchiveGuards.BufferBytes))
            {
                await ArchiveGuards.ForCache(paths).CopyAsync(tar, compressed, scope.Stopping);
            }

            await file.FlushAsync();
            digest = file.Digest();
            size = file.Length;
        });

        if (run.Complaints.Length > 0)
        {
            await scope.SayAsync(run.Complaints);
        }

        if (run.ExitCode == NodeTar.NothingToArchive)
        {
            await scope.SayAsync("Warning: none of the paths exists; no cache was saved.");
            return 0;
        }

        switch (run.RunnerFailure)
        {
            case ArchiveTooLargeException tooLarge:
                throw new StepFailedException($"The cache archive grew past the project's cap of {ByteSizeText.Format(tooLarge.Limit)} (the server's Porthole:JobData:CacheCapBytes); nothing was stored.");
            case ArchiveRefusedException refused:
                throw new StepFailedException($"The cache archive was refused: {refused.Message}");
            case { } failure when run.ExitCode == 0:
                throw new StepFailedException($"The cache archive could not be made: {failure.Message}");
        }

        if (run.ExitCode != 0)
        {
            throw new StepFailedException($"tar on the node failed (exit code {run.ExitCode}); no cache was saved.");
        }

        await scope.SayAsync($"Uploading cache archive ({ByteSizeText.Format(size)})...");
        var transfer = new BlobTransfer(server, scope.Assignment.NodeId, scope.Time);
        await transfer.UploadAsync(spool, digest, size, scope.Stopping);
        var saved = await server.SaveCacheAsync(
            scope.Assignment.NodeId,
            new CacheEntry(key, digest, size, plan.Replace) { Paths = paths.Recorded },
            CancellationToken.None);
        switch (saved.Outcome)
        {
            case CacheSaveOutcome.Saved:
                await scope.SayAsync($"Stored Cache to {key}");
                foreach (var path in paths.Shown)
                {
                    await scope.SayAsync($"  * {path}");
                }

                return 0;
            case CacheSaveOutcome.Exists:
                await scope.SayAsync($"Skipping cache generation: another node saved key {key} first.");
                return 0;
            default:
                throw new StepFailedException($"The server did not store the cache: {saved.Message}");
        }
    }
}
