using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Logging;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// <c>store_artifacts</c> (dialects.md §A5): every file under <c>path</c> is uploaded as it is and listed under
/// <c>destination</c> (default: the path as the config gives it). A path that does not exist is a warning, as on CircleCI.
/// </summary>
internal sealed class StoreArtifactsHandler : IStepHandler
{
    public async Task<int> RunAsync(StepPlan step, StepScope scope)
    {
        var plan = step.StoreArtifacts ?? throw new StepFailedException("The store_artifacts step has no path.");
        var server = scope.RequireServer();
        var path = NodePaths.Resolve(scope, plan.Path);
        var destination = Destination(plan);
        await scope.SayAsync($"Uploading {path} to {destination}");
        var transfer = new BlobTransfer(server, scope.Assignment.NodeId, scope.Time);
        var count = 0;
        long total = 0;
        var found = await NodeFileTree.ReadAsync(scope, path, async file =>
        {
            var name = file.Below.Length == 0 ? destination : destination + "/" + file.Below;
            using var spool = SpoolFile.Create(scope.SpoolDirectory, "artifact");
            string digest;
            long size;
            await using (var output = spool.OpenWrite())
            {
                await file.Content.CopyToAsync(output, 4 << 20, scope.Stopping);
                digest = output.Digest();
                size = output.Length;
            }

            await transfer.UploadAsync(spool, digest, size, scope.Stopping);
            await server.StoreArtifactAsync(scope.Assignment.NodeId, new ArtifactFile(name, digest, size), CancellationToken.None);
            await scope.SayAsync($"  Uploading {file.Relative} ({ByteSizeText.Format(size)}): DONE");
            count++;
            total += size;
        });

        if (!found)
        {
            await scope.SayAsync($"Warning: skipping this step: {path} does not exist.");
            return 0;
        }

        await scope.SayAsync($"Uploaded {count} artifact{(count == 1 ? string.Empty : "s")} ({ByteSizeText.Format(total)}).");
        return 0;
    }

    /// <summary>The prefix of the artifacts' paths: the destination, or the path as the config gives it, relative and without <c>~/</c>.</summary>
    internal static string Destination(StoreArtifactsPlan plan)
    {
        var text = plan.Destination ?? plan.Path;
        if (text.StartsWith("~/", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        var parts = text.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p is not "." and not "..").ToList();
        return parts.Count == 0 ? "artifacts" : string.Join('/', parts);
    }
}
