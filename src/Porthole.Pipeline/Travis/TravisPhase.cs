using Porthole.Contracts.Plans;

namespace Porthole.Pipeline.Travis;

/// <summary>A phase of a Travis job, with how its commands run and when it runs.</summary>
internal sealed record TravisPhase(string Name, PhaseMode Mode, StepCondition When, bool AffectsResult)
{
    public const string Script = "script";

    public const string Install = "install";

    /// <summary>In the order Travis runs them.</summary>
    public static IReadOnlyList<TravisPhase> All { get; } =
    [
        new("before_install", PhaseMode.StopAtFirstFailure, StepCondition.OnSuccess, true),
        new(Install, PhaseMode.StopAtFirstFailure, StepCondition.OnSuccess, true),
        new("before_script", PhaseMode.StopAtFirstFailure, StepCondition.OnSuccess, true),
        new(Script, PhaseMode.RunEvery, StepCondition.OnSuccess, true),
        new("after_success", PhaseMode.RunEvery, StepCondition.OnSuccess, false),
        new("after_failure", PhaseMode.RunEvery, StepCondition.OnFail, false),
        new("after_script", PhaseMode.RunEvery, StepCondition.Always, false),
    ];

    public static bool IsPhase(string key) => All.Any(phase => phase.Name == key);
}
