using Porthole.Contracts.Plans;

namespace Porthole.Execution.Steps;

/// <summary>CircleCI's <c>when</c>: on_success runs while the job has not failed, on_fail only once it has, always in both cases.</summary>
internal static class StepConditions
{
    public static bool ShouldRun(StepCondition when, bool jobFailed) => when switch
    {
        StepCondition.OnSuccess => !jobFailed,
        StepCondition.OnFail => jobFailed,
        StepCondition.Always => true,
        _ => throw new ArgumentOutOfRangeException(nameof(when), when, "Unknown step condition."),
    };
}
