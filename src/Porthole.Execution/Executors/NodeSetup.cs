using Porthole.Contracts.Plans;

namespace Porthole.Execution.Executors;

/// <summary>
/// What an executor needs to prepare one node: its folder on the runner's host and what the job asked for.
/// <see cref="Tag"/> is the value of <see cref="Shell.LeftoverProcesses.TagVariable"/> that every process of the node
/// carries in its environment; null lets the executor make a fresh one.
/// </summary>
public sealed record NodeSetup(string WorkspaceRoot, ExecutorSpec Executor)
{
    public string? Tag { get; init; }

    /// <summary>
    /// Paths the node must read although a sandbox hides the folder they are in: a local project's repository, when the
    /// job checks it out.
    /// </summary>
    public IReadOnlyList<string> ReadOnlyPaths { get; init; } = [];

    /// <summary>Where setting up tells what it does (pulls, containers), when the executor has a setup step; null: nowhere.</summary>
    public Func<string, ValueTask>? Say { get; init; }

    /// <summary>The project's variables by name, for what the executor resolves itself (an image's <c>auth</c>).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>The runner will run programs of its own for the node (an SSH endpoint's sshd): a container node then gets a host side too.</summary>
    public bool HostSide { get; init; }

    /// <summary>The job has a <c>setup_remote_docker</c> step: the primary container may need the engine mounted.</summary>
    public bool RemoteDocker { get; init; }
}
