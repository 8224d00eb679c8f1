namespace Porthole.Execution.Executors;

/// <summary>
/// Where the steps of a node run. The lifecycle is short and the same for every backend:
/// <see cref="SetupAsync"/> prepares the node's environment, <see cref="IExecutorNode.StartAsync"/> starts
/// one process of a step, <see cref="IStepProcess.Exited"/> waits for it, and
/// <see cref="IExecutorNode.DestroyAsync"/> ends everything that is left (idempotent).
/// </summary>
public interface IExecutor
{
    /// <exception cref="ExecutorException">The environment could not be prepared.</exception>
    Task<IExecutorNode> SetupAsync(NodeSetup setup, CancellationToken cancellationToken);

    /// <summary>
    /// The name of a step the log shows for <see cref="SetupAsync"/> (CircleCI's "Spin up environment": the pulls, the
    /// containers), whose output is <see cref="NodeSetup.Say"/>; null when setting up is quick and says nothing.
    /// </summary>
    string? SetupStepName(Contracts.Plans.ExecutorSpec executor) => null;

    /// <summary>A line for the top of the job's log about where the job runs (a docker job on the shell executor); null when none.</summary>
    string? Notice(Contracts.Plans.ExecutorSpec executor) => null;
}
