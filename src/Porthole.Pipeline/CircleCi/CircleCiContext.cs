using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// What every reader of plain (version 2, or compiled 2.1) CircleCI config needs: the errors, the trigger's values, and
/// where scheduled workflows are collected.
/// </summary>
internal sealed class CircleCiContext(ErrorList errors, bool compiled)
{
    public ErrorList Errors { get; } = errors;

    /// <summary>The config was 2.1 and has been compiled; false for a version 2 file, where 2.1's reuse keys are refused.</summary>
    public bool IsCompiled { get; } = compiled;

    /// <summary>The trigger's values: the branch or tag filters are judged against, the trigger source schedules need.</summary>
    public PipelineValues Values { get; init; } = PipelineValues.None;

    /// <summary>Jobs a workflow invokes that the compiler could not compile (reported already): not reported again as undefined.</summary>
    public IReadOnlySet<string> Unresolved { get; init; } = new HashSet<string>();

    /// <summary>The scheduled workflows met while reading, for <see cref="ConfigResult.Schedules"/>.</summary>
    public List<ScheduleTrigger> Schedules { get; } = [];

    /// <summary>A string value (a list, a map or nothing is an error naming <paramref name="what"/>).</summary>
    public string? Text(Node node, string what) => Expect.Text(node, what, Errors);

    /// <summary>A 2.1 feature met in a version 2 file: CircleCI reads it only in 2.1.</summary>
    public void Needs21(Node at, string feature) =>
        Errors.Add(at, $"{feature} need version: 2.1 (this config says version: 2)");
}
