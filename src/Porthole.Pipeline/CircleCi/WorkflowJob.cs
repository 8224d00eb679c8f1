using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>One entry of a workflow's <c>jobs:</c> list: job <see cref="Job"/> run under the name <see cref="Name"/>.</summary>
internal sealed record WorkflowJob(string Name, string Job, Node At, IReadOnlyList<RequiredJob> Requires);

/// <summary>A name in a <c>requires:</c> list, with its node for errors.</summary>
internal sealed record RequiredJob(string Name, Node At);
