using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Execution.Docker;
using Porthole.Execution.Shell;

namespace Porthole.Runner;

/// <summary>
/// What a runner that crashed left behind (R-SSH-9): while a node runs, a file names its process tag and workspace;
/// at the runner's next start every process carrying a recorded tag is ended (sshd, session shells, steps'
/// daemons) and the workspace and spool are removed.
/// </summary>
public sealed partial class LeftoverNodes(IOptions<RunnerOptions> options, TimeProvider time, ILogger<LeftoverNodes> logger, DockerEngine? docker = null)
{
    private string StateDirectory => Path.GetFullPath(options.Value.StateDirectory);

    /// <summary>Records a node as running; the tag is what its processes carry.</summary>
    public string Record(long nodeId, string runnerName, string workspace)
    {
        Directory.CreateDirectory(StateDirectory);
        // Unique per run of a node: two servers in one process (tests) or a node id reused by another data folder
        // must never share a tag, or ending one node's processes would end the other's.
        var tag = $"{runnerName}/node-{nodeId.ToString(CultureInfo.InvariantCulture)}/{Guid.NewGuid():N}";
        File.WriteAllLines(FileOf(nodeId), [tag, workspace]);
        return tag;
    }

    public void Forget(long nodeId) => File.Delete(FileOf(nodeId));

    /// <summary>Ends what the nodes recorded by an earlier run of this runner left behind.</summary>
    public async Task CleanAsync(CancellationToken ct)
    {
        if (!Directory.Exists(StateDirectory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(StateDirectory, "*.node"))
        {
            var lines = await File.ReadAllLinesAsync(file, ct);
            if (lines.Length >= 2 && lines[0].Length > 0)
            {
                var ended = await LeftoverProcesses.EndTaggedAsync(lines[0], time, ct);
                var removed = docker is null ? 0 : await docker.RemoveLeftoversAsync(lines[0], time);
                Workspaces.Delete(lines[1]);
                LogCleaned(logger, lines[0], ended, removed);
            }

            File.Delete(file);
        }

        var spool = Path.GetFullPath(options.Value.SpoolDirectory);
        if (Directory.Exists(spool))
        {
            foreach (var file in Directory.EnumerateFiles(spool))
            {
                File.Delete(file);
            }
        }
    }

    private string FileOf(long nodeId) => Path.Combine(StateDirectory, $"{nodeId.ToString(CultureInfo.InvariantCulture)}.node");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cleaned up after {Tag}: ended {Count} processes, removed {Containers} containers and its workspace")]
    private static partial void LogCleaned(ILogger logger, string tag, int count, int containers);
}
