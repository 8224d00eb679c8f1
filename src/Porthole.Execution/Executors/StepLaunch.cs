namespace Porthole.Execution.Executors;

/// <summary>
/// One process to start: its argv (never a command line to be parsed), its whole environment and its directory.
/// </summary>
public sealed record StepLaunch(
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory)
{
    /// <summary>
    /// Runs as the runner's own account rather than the job's (the node's sshd, which logs users in as the job account).
    /// Only for programs of the runner, never for anything of the job.
    /// </summary>
    public bool AsRunner { get; init; }

    /// <summary>
    /// A network namespace (a path of the runner's host's <c>/proc</c>, <see cref="Porthole.Execution.Processes.NetworkNamespace.Path"/>) the process joins, and only that: its files,
    /// users and processes stay the node's (a docker node's sshd in its container's network, R-BEY-5). Only for
    /// <see cref="AsRunner"/> programs of a root runner; null: the node's own network.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>
    /// Runs as root in the job's container (<see cref="Porthole.Contracts.Plans.StepPlan.AsRoot"/>); a node without a
    /// container refuses it.
    /// </summary>
    public bool AsRoot { get; init; }

    /// <summary>
    /// What the process reads on its stdin (a runner's archive for <c>tar -x</c>): called once the process has started,
    /// with its stdin, which is closed when the task ends. Null: stdin is empty. Only for the runner's own commands.
    /// </summary>
    public Func<Stream, CancellationToken, Task>? Input { get; init; }
}
