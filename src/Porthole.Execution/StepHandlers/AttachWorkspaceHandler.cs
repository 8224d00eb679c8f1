using Porthole.Contracts.Plans;
using Porthole.Execution.JobData;
using Porthole.Execution.Logging;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// <c>attach_workspace</c> (dialects.md §A5): every layer the job's transitive <c>requires</c> persisted, in workflow
/// order, each checked entry by entry and extracted under <c>at</c> by the node's tar; a conflict between concurrent
/// jobs fails the step naming both.
/// </summary>
internal sealed class AttachWorkspaceHandler : IStepHandler
{
    public async Task<int> RunAsync(StepPlan step, StepScope scope)
    {
        var plan = step.AttachWorkspace ?? throw new StepFailedException("The attach_workspace step has no 'at'.");
        var server = scope.RequireServer();
        var at = NodePaths.Resolve(scope, plan.At);
        var attach = await server.AttachWorkspaceAsync(scope.Assignment.NodeId, CancellationToken.None);
        if (attach.Conflict is { } conflict)
        {
            throw new StepFailedException(conflict);
        }

        if (attach.Layers.Count == 0)
        {
            await scope.SayAsync("Warning: there is no workspace to attach: no job this one requires persisted anything.");
            return 0;
        }

        await scope.SayAsync($"Downloading workspace layers ({ByteSizeText.Format(attach.Layers.Sum(l => l.Size))}) into {at}");
        var transfer = new BlobTransfer(server, scope.Assignment.NodeId, scope.Time);
        foreach (var layer in attach.Layers)
        {
            await scope.SayAsync($"  Applying the layer persisted by {layer.JobName} ({ByteSizeText.Format(layer.Size)})");
            using var spool = SpoolFile.Create(scope.SpoolDirectory, "layer");
            await transfer.DownloadAsync(layer.Digest, layer.Size, spool, scope.Stopping);
            var run = await NodeTar.ExtractAsync(scope, at, async stdin =>
            {
                await using var file = spool.OpenRead();
                await using var tar = ZstdStreams.Decompress(file, leaveOpen: false);
            await using var input = new BufferedStream(stdin, ArchiveGuards.BufferBytes);
                await ArchiveGuards.ForWorkspace([], at).CopyAsync(tar, input, scope.Stopping);
            });
            var code = await ArchiveSteps.EndExtractAsync(scope, run, "workspace layer");
            if (code != 0)
            {
                return code;
            }
        }

        return 0;
    }
}
