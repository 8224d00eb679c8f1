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
}
