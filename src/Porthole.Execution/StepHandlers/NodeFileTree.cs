using System.Formats.Tar;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// The files under a path of the node (a file, or a folder and everything below it), as the node's tar gives them to
/// the runner: each regular file with its path relative to the path's parent, read once, in order. Names are checked
/// (nothing absolute, no <c>..</c>); links and folders are not files and are passed over.
/// </summary>
internal static class NodeFileTree
{
    /// <returns>False when the path does not exist on the node.</returns>
    public static async Task<bool> ReadAsync(StepScope scope, string path, Func<NodeFile, Task> onFile)
    {
        var parent = Path.GetDirectoryName(path) ?? "/";
        var name = Path.GetFileName(path);
        if (name.Length == 0)
        {
            throw new StepFailedException($"'{path}' names no file or folder.");
        }

        var run = await NodeTar.CreateAsync(scope, parent, [name], async tar =>
        {
            await using var reader = new TarReader(tar, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: false, scope.Stopping) is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
                {
                    continue;
                }

                var relative = Checked(entry.Name, name);
                var below = relative.Length == name.Length ? string.Empty : relative[(name.Length + 1)..];
                var content = entry.DataStream ?? Stream.Null;
                await onFile(new NodeFile(relative, below, entry.Length, content));
            }
        });

        if (run.Complaints.Length > 0)
        {
            await scope.SayAsync(run.Complaints);
        }

        if (run.ExitCode is NodeTar.NothingToArchive or NodeTar.NoBaseFolder)
        {
            return false;
        }

        if (run.RunnerFailure is StepFailedException or OperationCanceledException)
        {
            throw run.RunnerFailure;
        }

        if (run.RunnerFailure is { } failure)
        {
            throw new StepFailedException($"The files could not be read from the node: {failure.Message}");
        }

        if (run.ExitCode != 0)
        {
            throw new StepFailedException($"tar on the node failed (exit code {run.ExitCode}).");
        }

        return true;
    }

    private static string Checked(string entryName, string top)
    {
        var name = entryName.TrimEnd('/');
        while (name.StartsWith("./", StringComparison.Ordinal))
        {
            name = name[2..];
        }

        var parts = name.Split('/');
        if (name.StartsWith('/') || parts.Contains("..") || parts.Contains(string.Empty) || name.Contains('\0', StringComparison.Ordinal)
            || (name != top && !name.StartsWith(top + "/", StringComparison.Ordinal)))
        {
            throw new StepFailedException($"The node's tar gave an entry outside the path: '{entryName}'.");
        }

        return name;
    }
}

/// <summary>One file of a <see cref="NodeFileTree"/>: its path relative to the tree's parent, its path below the tree's top ("" for a single file), its size and bytes.</summary>
internal sealed record NodeFile(string Relative, string Below, long Length, Stream Content);
