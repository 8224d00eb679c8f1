namespace Porthole.Execution;

/// <summary>
/// How to run one node. <paramref name="WorkspaceRoot"/> is a fresh, empty folder for this node that the caller
/// owns (and deletes after the node); <paramref name="DefaultNoOutputTimeout"/> applies to steps that set none (10 min).
/// </summary>
public sealed record NodeRunOptions(string WorkspaceRoot, TimeSpan DefaultNoOutputTimeout)
{
    /// <summary>
    /// The node's process tag: the value of <c>PORTHOLE_NODE_TAG</c> (<see cref="Shell.LeftoverProcesses.TagVariable"/>)
    /// in the environment of every process of the node. A runner that chooses it can write it down while the node runs
    /// and, after a crash, end what is left with <see cref="Shell.LeftoverProcesses.EndTaggedAsync"/>. Null: a new guid.
    /// </summary>
    public string? Tag { get; init; }

    /// <summary>The server's side of the protocol, for the job-data steps (caches, workspaces, artifacts, test results); null: they fail, saying so.</summary>
    public Contracts.Runners.IRunnerProtocol? Server { get; init; }

    /// <summary>A folder of the runner's, out of every node's reach, where archives wait on their way up or down; null: under the workspace root's parent.</summary>
    public string? SpoolDirectory { get; init; }
}
