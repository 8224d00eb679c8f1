using Porthole.Contracts.Plans;

namespace Porthole.Pipeline.Travis;

/// <summary>A phase of a Travis job, with how its commands run and when it runs.</summary>
internal sealed record TravisPhase(string Name, PhaseMode Mode, StepCondition When, bool AffectsResult)
{
    public const string Script = "script";

    public const string Install = "install";

    public const string BeforeInstall = "before_install";

    /// <summary>Runs after script, whatever its result, when there is a cache to upload (§B0); its failures are ignored.</summary>
    public const string BeforeCache = "before_cache";

    /// <summary>In the order Travis runs them (§B0, TB <c>stages.rb</c>).</summary>
    public static IReadOnlyList<TravisPhase> All { get; } =
    [
        new(BeforeInstall, PhaseMode.StopAtFirstFailure, StepCondition.OnSuccess, true),
        new(Install, PhaseMode.StopAtFirstFailure, StepCondition.OnSuccess, true),
        new("before_script", PhaseMode.StopAtFirstFailure, StepCondition.OnSuccess, true),
        new(Script, PhaseMode.RunEvery, StepCondition.OnSuccess, true),
        new(BeforeCache, PhaseMode.RunEvery, StepCondition.Always, false),
        new("after_success", PhaseMode.RunEvery, StepCondition.OnSuccess, false),
        new("after_failure", PhaseMode.RunEvery, StepCondition.OnFail, false),
        new("after_script", PhaseMode.RunEvery, StepCondition.Always, false),
    ];

    public static bool IsPhase(string key) => All.Any(phase => phase.Name == key);
}
