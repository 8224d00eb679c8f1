using System.Globalization;
using Porthole.Contracts.Plans;
using Porthole.Execution.Logging;

namespace Porthole.Execution.Steps;

/// <summary>
/// CircleCI's legacy <c>deploy</c> step (dialects.md §A5, CR20): with parallelism it runs on node 0 only, and only once
/// every other node has finished its steps successfully; the other nodes skip it.
/// </summary>
internal sealed partial class NodeRun
{
    private static readonly TimeSpan SiblingPoll = TimeSpan.FromSeconds(1);

    /// <summary>Whether the deploy step may run on this node now; says in the log why not when it may not.</summary>
    private async Task<bool> DeployMayRunAsync(StepPlan step)
    {
        if (_assignment.NodeTotal <= 1)
        {
            return true;
        }

        if (_assignment.NodeIndex != 0)
        {
            await _log.Runner.WriteTextAsync(LogLines.Header(step.Name) + "A deploy step runs on node 0 only, once every node has succeeded; this is node "
                + _assignment.NodeIndex.ToString(CultureInfo.InvariantCulture) + ".\n");
            return false;
        }

        if (_options.Server is not { } server)
        {
            await _log.Runner.WriteTextAsync(LogLines.Header(step.Name) + "Porthole cannot see the other nodes from here, so the deploy step does not run.\n");
            return false;
        }

        var announced = false;
        try
        {
            while (true)
            {
                var siblings = await server.SiblingNodesAsync(_assignment.NodeId, _stop.Stopping);
                if (siblings.AllFinished)
                {
                    if (siblings.AllSucceeded)
                    {
                        return true;
                    }

                    await _log.Runner.WriteTextAsync(LogLines.Header(step.Name)
                        + $"{siblings.Total - siblings.Succeeded} of the other {siblings.Total} nodes did not succeed, so the deploy step does not run.\n");
                    return false;
                }

                if (!announced)
                {
                    announced = true;
                    await _log.Runner.WriteTextAsync($"Waiting for the other {siblings.Total - siblings.Finished} nodes to finish before the deploy step.\n");
                }

                await Task.Delay(SiblingPoll, _timeProvider, _stop.Stopping);
            }
        }
        catch (OperationCanceledException) when (_stop.IsStopping)
        {
            return false;
        }
    }
}
