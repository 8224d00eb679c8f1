using Porthole.Contracts.Runners;
using Porthole.Execution.Executors;
using Porthole.Execution.Logging;
using Porthole.Execution.Steps;

namespace Porthole.Execution;

/// <summary>
/// Runs one node of a job on an executor: prepares its environment, runs its steps in order (R-CI-3..7), streams the
/// masked log and the step states to an <see cref="INodeReporter"/>, and leaves nothing running when it returns.
/// </summary>
public sealed class NodeRunner(TimeProvider timeProvider, IExecutor executor)
{
    /// <summary>
    /// Runs the node to its end. Canceling <paramref name="cancellationToken"/> ends the running step's processes,
    /// skips the rest and returns <see cref="NodeResult.Canceled"/>; it does not throw.
    /// </summary>
    public async Task<NodeCompletion> RunAsync(NodeAssignment assignment, NodeRunOptions options, INodeReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reporter);

        var masker = SecretMasker.Create(assignment.Variables.Where(v => v.Secret).Select(v => v.Value));
        var log = new NodeLog(reporter, masker, assignment.LogCapBytes);
        using var stop = new StopSignals(cancellationToken, assignment.JobTimeout, timeProvider, log.Faulted);
        try
        {
            IExecutorNode node;
            try
            {
                node = await executor.SetupAsync(new NodeSetup(options.WorkspaceRoot, assignment.Job.Executor), CancellationToken.None);
            }
            catch (ExecutorException e)
            {
                await log.Runner.WriteTextAsync(LogLines.StartFailed(e.Message));
                await ReportAllSkippedAsync(assignment, log);
                return new NodeCompletion(NodeResult.InfrastructureFail, e.Message);
            }

            try
            {
                return await new NodeRun(assignment, options, node, log, timeProvider, stop).RunAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A fault of ours, not of the job: the node must still end cleanly and say so.
                return new NodeCompletion(NodeResult.InfrastructureFail, $"Porthole failed while running the node ({e.GetType().Name}): {e.Message}");
            }
            finally
            {
                await node.DestroyAsync();
            }
        }
        finally
        {
            // Whatever a killed process still had in flight is dropped: the reporter hears nothing after we return.
            log.Close();
        }
    }

    private async Task ReportAllSkippedAsync(NodeAssignment assignment, NodeLog log)
    {
        var now = timeProvider.GetUtcNow();
        var offset = log.Offset;
        for (var i = 0; i < assignment.Job.Steps.Count; i++)
        {
            var step = assignment.Job.Steps[i];
            await log.ReportStepAsync(new StepReport(i, step.Name, StepState.Skipped, null, offset, offset, now, now, step.Background));
        }
    }
}
