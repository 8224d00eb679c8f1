using Porthole.Contracts.Plans;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// A step that runs as root in the job's container (Travis's apt addon, <see cref="StepPlan.AsRoot"/>), when a debug
/// session's window asks for it: the window's shell is the container's user, so the runner runs the step's script as
/// root itself, with the step's environment, and its output goes to the job's log as on a node's own run. A node
/// without a container refuses it, as it refuses the step on its own run.
/// </summary>
internal sealed class RootStepHandler : IStepHandler
{
    public async Task<int> RunAsync(StepPlan step, StepScope scope)
    {
        if (!step.AsRoot || step.Kind != StepKind.Run || step.Command is not { } command)
        {
            throw new ArgumentException("Only a run step that runs as root is run by this handler.", nameof(step));
        }

        await scope.SayAsync($"Running {step.Name} as root in the job's container.");
        return await NodeCommand.RunAsync(scope, command, [], scope.JobDirectory, scope.Log, shell: "/bin/bash", asRoot: true);
    }
}
