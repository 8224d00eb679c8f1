using Porthole.Contracts.Plans;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// Runs one kind of typed step on a node. The exit code is the step's (0: success); a failure the handler can name is
/// a <see cref="StepFailedException"/>, written to the step's log; a stop of the node is an
/// <see cref="OperationCanceledException"/>.
/// </summary>
internal interface IStepHandler
{
    Task<int> RunAsync(StepPlan step, StepScope scope);
}
