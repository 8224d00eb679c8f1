using Porthole.Contracts.Plans;

namespace Porthole.Pipeline;

/// <summary>
/// The plan of a config, or the errors that keep it from being planned (never both). <see cref="Warnings"/> are
/// things the config asks for that are planned, but not quite as written (an old spelling of a step, a cache kind this
/// runner cannot honour); they come with a plan or with errors, and never make a config invalid.
/// </summary>
public sealed record ConfigResult(PipelinePlan? Plan, IReadOnlyList<ConfigError> Errors)
{
    /// <summary>In file order, each place and message once; <see cref="ConfigError.Feature"/> is null.</summary>
    public IReadOnlyList<ConfigError> Warnings { get; init; } = [];

    /// <summary>
    /// CircleCI's scheduled workflows (<c>triggers: schedule</c>) whose branch filter admits the branch compiled for
    /// (<see cref="PipelineValues.Branch"/>; all of them when no branch was given).
    /// </summary>
    public IReadOnlyList<ScheduleTrigger> Schedules { get; init; } = [];

    public bool IsValid => Plan is not null && Errors.Count == 0;
}

/// <summary>Workflow <see cref="Workflow"/> runs at <see cref="Cron"/> (five fields, UTC) on the branch compiled for.</summary>
public sealed record ScheduleTrigger(string Workflow, string Cron);
