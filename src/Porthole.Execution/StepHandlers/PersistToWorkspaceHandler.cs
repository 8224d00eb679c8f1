using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.JobData;
using Porthole.Execution.Logging;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// <c>persist_to_workspace</c> (dialects.md §A5): <c>paths</c> relative to <c>root</c>, each a plain path or a Go
/// <c>filepath.Match</c> glob, archived by the node's tar and added as one layer of the workflow's workspace.
/// </summary>
internal sealed class PersistToWorkspaceHandler : IStepHandler
{
    public async Task<int> RunAsync(StepPlan step, StepScope scope)
    {
        var plan = step.PersistToWorkspace ?? throw new StepFailedException("The persist_to_workspace step has no root or paths.");
        var server = scope.RequireServer();
        var root = NodePaths.Resolve(scope, plan.Root);
        var names = await NamesAsync(plan, root, scope);
        await scope.SayAsync("Creating workspace archive...");
        using var spool = SpoolFile.Create(scope.SpoolDirectory, "workspace");
        var digest = string.Empty;
        long size = 0;
        IReadOnlyList<string> files = [];
        var run = await NodeTar.CreateAsync(scope, root, names, async tar =>
        {
            await using var file = spool.OpenWrite();
            await using (var compressed = new BufferedStream(ZstdStreams.Compress(file, ZstdStreams.FastLevel, leaveOpen: true), ArchiveGuards.BufferBytes))
            {
                files = (await ArchiveGuards.ForWorkspace(names, root).CopyAsync(tar, compressed, scope.Stopping)).Files;
            }

            await file.FlushAsync();
            digest = file.Digest();
            size = file.Length;
        });

        if (run.Complaints.Length > 0)
        {
            await scope.SayAsync(run.Complaints);
        }

        if (run.ExitCode is NodeTar.NothingToArchive or NodeTar.NoBaseFolder)
        {
            throw new StepFailedException($"The specified paths did not match any files in {root}");
        }

        if (run.RunnerFailure is { } failure)
        {
            throw new StepFailedException($"The workspace archive was refused: {failure.Message}");
        }

        if (run.ExitCode != 0)
        {
            throw new StepFailedException($"tar on the node failed (exit code {run.ExitCode}); nothing was persisted.");
        }

        await scope.SayAsync($"Uploading workspace archive ({ByteSizeText.Format(size)}, {files.Count} files)...");
        await new BlobTransfer(server, scope.Assignment.NodeId, scope.Time).UploadAsync(spool, digest, size, scope.Stopping);
        await server.PersistWorkspaceAsync(scope.Assignment.NodeId, new WorkspaceLayer(digest, size, files), CancellationToken.None);
        await scope.SayAsync($"Total size uploaded: {ByteSizeText.Format(size)}");
        return 0;
    }

    /// <summary>The names to archive, relative to root: plain paths as they are, globs matched against the root's entries.</summary>
    private static async Task<List<string>> NamesAsync(PersistToWorkspacePlan plan, string root, StepScope scope)
    {
        var names = new List<string>();
        IReadOnlyList<string>? listing = null;
        foreach (var path in plan.Paths)
        {
            var relative = Relative(path, root);
            if (!GoPathMatch.HasMeta(relative))
            {
                names.Add(relative);
                continue;
            }

            var depth = relative.Split('/').Length;
            listing ??= await NodeTar.ListAsync(scope, root, plan.Paths.Select(p => Relative(p, root).Split('/').Length).Max())
                ?? throw new StepFailedException($"The workspace root {root} does not exist.");
            var matched = listing
                .Select(entry => entry.StartsWith("./", StringComparison.Ordinal) ? entry[2..] : entry)
                .Where(entry => entry.Split('/').Length == depth && Matches(relative, entry))
                .ToList();
            if (matched.Count == 0)
            {
                throw new StepFailedException($"The specified paths did not match any files in {root} ('{path}' matched nothing)");
            }

            names.AddRange(matched);
        }

        return [.. names.Distinct(StringComparer.Ordinal)];
    }

    private static bool Matches(string pattern, string name)
    {
        try
        {
            return GoPathMatch.Match(pattern, name);
        }
        catch (BadPatternException e)
        {
            throw new StepFailedException($"'{pattern}' is not a valid pattern: {e.Message}");
        }
    }

    /// <summary>A path relative to root; an absolute one must be inside it (the plan checked it where it could).</summary>
    private static string Relative(string path, string root)
    {
        var relative = path;
        if (path.StartsWith('/'))
        {
            var rootWithSlash = root.TrimEnd('/') + "/";
            if (!path.StartsWith(rootWithSlash, StringComparison.Ordinal))
            {
                throw new StepFailedException($"'{path}' is not inside the workspace root {root}.");
            }

            relative = path[rootWithSlash.Length..];
        }

        while (relative.StartsWith("./", StringComparison.Ordinal))
        {
            relative = relative[2..];
        }

        relative = relative.TrimEnd('/');
        if (relative.Length == 0 || relative == "." || relative.Split('/').Contains(".."))
        {
            throw new StepFailedException($"'{path}' is not a path below the workspace root {root}.");
        }

        return relative;
    }
}
