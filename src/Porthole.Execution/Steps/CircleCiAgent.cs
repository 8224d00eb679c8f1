using System.Text;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Executors;
using Porthole.Execution.JobData;
using Porthole.Execution.Processes;

namespace Porthole.Execution.Steps;

/// <summary>
/// CircleCI's environment CLI in a node (dialects.md §A5, §A7): <c>circleci</c> and <c>circleci-agent</c> on PATH (tests
/// glob/split/run, step halt), the timings of the job's earlier test results for <c>--split-by=timings</c>, and the file
/// a <c>step halt</c> writes, which the run reads after each step.
/// </summary>
internal sealed class CircleCiAgent
{
    private readonly IExecutorNode _node;
    private readonly string _haltFile;

    private CircleCiAgent(IExecutorNode node, string haltFile, string directory)
    {
        _node = node;
        _haltFile = haltFile;
        Directory = directory;
    }

    /// <summary>The folder of the node that holds both commands (first on the steps' PATH).</summary>
    public string Directory { get; }

    public static async Task<CircleCiAgent> InstallAsync(IExecutorNode node, NodeAssignment assignment, IRunnerProtocol? server)
    {
        var timings = string.Empty;
        if (server is not null && assignment.Job.Steps.Any(s => s.Command is { } command && command.Contains("tests", StringComparison.Ordinal) && command.Contains("circleci", StringComparison.Ordinal)))
        {
            timings = CircleCiShim.FormatTimings(await server.TestTimingsAsync(assignment.NodeId, CancellationToken.None));
        }

        var halt = await node.WriteScratchFileAsync("circleci-halt", string.Empty, CancellationToken.None);
        var timingsFile = await node.WriteScratchFileAsync("circleci-timings", timings, CancellationToken.None);
        var script = CircleCiShim.Script(halt, timingsFile);
        var command = await node.WriteScratchFileAsync("circleci", script, CancellationToken.None);
        await node.WriteScratchFileAsync("circleci-agent", script, CancellationToken.None);
        return new CircleCiAgent(node, halt, Path.GetDirectoryName(command) ?? node.ScratchDirectory);
    }

    /// <summary>Whether a step has run <c>circleci-agent step halt</c>.</summary>
    public bool HaltRequested()
    {
        using var file = RegularFile.OpenRead(_node.HostPathOf(_haltFile));
        if (file is null)
        {
            return false;
        }

        var buffer = new byte[16];
        var read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("halt", StringComparison.Ordinal);
    }
}
