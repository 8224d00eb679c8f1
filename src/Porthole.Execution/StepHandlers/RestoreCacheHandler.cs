using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.JobData;
using Porthole.Execution.Logging;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// <c>restore_cache</c> (dialects.md §A5) and Travis's cache fetch (§B12): the first of the keys with a stored match
/// (each as a prefix, the most recent save winning; Travis's exactly) is downloaded, checked entry by entry against the
/// paths it was saved from, and extracted at <c>/</c> by the node's tar as the job's account. No match is a warning.
/// </summary>
internal sealed class RestoreCacheHandler : IStepHandler
{
    public async Task<int> RunAsync(StepPlan step, StepScope scope)
    {
        var plan = step.RestoreCache ?? throw new StepFailedException("The restore_cache step has no keys.");
        var server = scope.RequireServer();
        var keys = new List<string>();
        foreach (var template in plan.Keys)
        {
            var key = await CacheKeys.RenderAsync(template, scope);
            if (!keys.Contains(key))
            {
                keys.Add(key);
            }
        }

        var hit = await server.FindCacheAsync(scope.Assignment.NodeId, new CacheQuery(keys, plan.Exact), CancellationToken.None);
        if (hit is null)
        {
            await scope.SayAsync($"Warning: no cache is found for key{(keys.Count == 1 ? string.Empty : "s")}: {string.Join(", ", keys)}");
            return 0;
        }

        await scope.SayAsync($"Found a cache at {hit.Key}");
        await scope.SayAsync($"Size: {ByteSizeText.Format(hit.Size)}");
        var paths = CachePaths.ForRestore(scope, hit.Paths);
        if (hit.Paths.Count > 0)
        {
            await scope.SayAsync("Cached paths:");
            foreach (var path in paths.Shown)
            {
                await scope.SayAsync($"  * {path}");
            }
        }

        await scope.SayAsync("Downloading cache archive...");
        using var spool = SpoolFile.Create(scope.SpoolDirectory, "restore");
        await new BlobTransfer(server, scope.Assignment.NodeId, scope.Time).DownloadAsync(hit.Digest, hit.Size, spool, scope.Stopping);
        await scope.SayAsync("Unarchiving cache...");
        var run = await NodeTar.ExtractAsync(scope, paths.Base, async stdin =>
        {
            await using var file = spool.OpenRead();
            await using var tar = ZstdStreams.Decompress(file, leaveOpen: false);
            await using var input = new BufferedStream(stdin, ArchiveGuards.BufferBytes);
            await ArchiveGuards.ForCache(paths).CopyAsync(tar, input, scope.Stopping);
        });
        return await ArchiveSteps.EndExtractAsync(scope, run, "cache");
    }
}
