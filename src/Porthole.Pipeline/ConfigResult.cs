using Porthole.Contracts.Plans;

namespace Porthole.Pipeline;

/// <summary>The plan of a config, or the errors that keep it from being planned (never both).</summary>
public sealed record ConfigResult(PipelinePlan? Plan, IReadOnlyList<ConfigError> Errors)
{
    public bool IsValid => Plan is not null && Errors.Count == 0;
}
