using Porthole.Pipeline.Travis.Matrix;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Tests.Travis.Matrix;

/// <summary>
/// Expands a Travis config written as lines and shows each job as one line, <c>key=value … | env entries | stage</c>
/// (and <c>| allow_failure</c>), so a test states the job list it derived by hand from §B9 and §B10.
/// </summary>
internal static class MatrixRun
{
    /// <summary>Every condition holds: for tests where no <c>if:</c> is written, or all should pass.</summary>
    public static readonly ConditionCheck AcceptAll = (_, _, _) => true;

    public static (TravisBuild Build, ErrorList Errors) Expand(string text, ConditionCheck? accept = null, int maxJobs = TravisMatrix.TravisMaxJobs)
    {
        var errors = new ErrorList(".travis.yml");
        var root = YamlLoader.Load(text, errors);
        Assert.True(root is MapNode, "the config is not a map: " + string.Join("\n", errors.ToList()));
        return (TravisMatrix.Expand((MapNode)root!, accept ?? AcceptAll, maxJobs, errors), errors);
    }

    public static (TravisBuild Build, ErrorList Errors) Expand(string[] lines, ConditionCheck? accept = null, int maxJobs = TravisMatrix.TravisMaxJobs) =>
        Expand(string.Join("\n", lines) + "\n", accept, maxJobs);

    /// <summary>The build of a config that must expand without errors.</summary>
    public static TravisBuild Valid(string[] lines, ConditionCheck? accept = null)
    {
        var (build, errors) = Expand(lines, accept);
        Assert.True(errors.Count == 0, "unexpected errors:\n" + string.Join("\n", errors.ToList()));
        return build;
    }

    /// <summary>Each job as a line showing <paramref name="keys"/>, its env entries and its stage.</summary>
    public static string[] Rows(TravisBuild build, params string[] keys) => [.. build.Jobs.Select(job => Row(job, keys))];

    /// <summary>As <see cref="Rows"/>, each line starting with the job's number (N.1, N.2 …: its position).</summary>
    public static string[] NumberedRows(TravisBuild build, params string[] keys) =>
        [.. build.Jobs.Select((job, index) => $"{index + 1}. {Row(job, keys)}")];

    public static string Row(TravisJobConfig job, params string[] keys)
    {
        var values = keys.Select(key => $"{key}={Text(job.Config.Get(key))}");
        var env = job.Config.Get("env") is ListNode list ? string.Join(", ", list.Items.Select(Text)) : "-";
        var row = $"{string.Join(" ", values)} | {env} | {job.Stage}";
        return job.AllowFailure ? row + " | allow_failure" : row;
    }

    /// <summary>A value as one line: a scalar's text, a list in brackets, a map in braces; "-" for no value.</summary>
    public static string Text(Node? node) => node switch
    {
        null => "-",
        ScalarNode scalar => scalar.Value,
        ListNode list => "[" + string.Join(", ", list.Items.Select(Text)) + "]",
        MapNode map => "{" + string.Join(", ", map.Entries.Select(entry => $"{entry.Name}: {Text(entry.Value)}")) + "}",
        _ => "?",
    };

    public static string Messages(ErrorList errors) => string.Join("\n", errors.ToList());
}
