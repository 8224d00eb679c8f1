using System.Text.RegularExpressions;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>What every CircleCI section reader needs: the errors, and the config facts that change how strings read.</summary>
internal sealed partial class CircleCiContext(ErrorList errors, bool isVersion21, IReadOnlySet<string> commandNames)
{
    public ErrorList Errors { get; } = errors;

    /// <summary>The trigger's values: the branch or tag filters are judged against, the trigger source schedules need.</summary>
    public PipelineValues Values { get; init; } = PipelineValues.None;

    /// <summary>Names under the top-level <c>commands:</c> key, so a step that uses one is refused by name.</summary>
    public IReadOnlySet<string> CommandNames { get; } = commandNames;

    /// <summary>
    /// A string value. In version 2.1 CircleCI replaces <c>&lt;&lt; pipeline.x &gt;&gt;</c> and
    /// <c>&lt;&lt; parameters.x &gt;&gt;</c> before running anything; Porthole does not, so such a string is refused
    /// rather than run with the placeholder in it. Version 2.0 does no such replacement.
    /// </summary>
    public string? Text(Node node, string what)
    {
        var text = Expect.Text(node, what, Errors);
        if (text is null || !isVersion21)
        {
            return text;
        }

        foreach (Match match in Interpolation().Matches(text))
        {
            var expression = $"<< {match.Groups["kind"].Value}.{match.Groups["name"].Value} >>";
            if (match.Groups["kind"].Value == "pipeline")
            {
                Errors.Refuse(node, "pipeline values", $"pipeline values ({expression}) are not supported");
            }
            else
            {
                Errors.Refuse(node, "job parameters", $"job parameters ({expression}) are not supported");
            }
        }

        return text;
    }

    [GeneratedRegex(@"<<\s*(?<kind>pipeline|parameters)\.(?<name>[A-Za-z0-9_.\-]+)\s*>>")]
    private static partial Regex Interpolation();
}
