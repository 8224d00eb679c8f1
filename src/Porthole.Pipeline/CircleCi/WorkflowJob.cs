using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>One entry of a workflow's <c>jobs:</c> list: job <see cref="Job"/> run under the name <see cref="Name"/>.</summary>
internal sealed record WorkflowJob(string Name, string Job, Node At, IReadOnlyList<RequiredJob> Requires)
{
    /// <summary><see cref="JobType.Approval"/> for a <c>type: approval</c> entry, which has no definition under <c>jobs:</c>.</summary>
    public JobType Type { get; init; } = JobType.Build;

    /// <summary>The entry's <c>filters:</c>; null when it has none (every branch, no tag).</summary>
    public JobFilters? Filters { get; init; }

    /// <summary>The entry's <c>context:</c> names, in order.</summary>
    public IReadOnlyList<string> Contexts { get; init; } = [];
}

/// <summary>A name in a <c>requires:</c> list, with its node for errors.</summary>
internal sealed record RequiredJob(string Name, Node At);
