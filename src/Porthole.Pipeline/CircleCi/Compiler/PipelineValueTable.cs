using System.Globalization;
using System.Text.RegularExpressions;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// The <c>&lt;&lt; pipeline.X &gt;&gt;</c> values (§A1.6) of one trigger, keyed by the part after <c>pipeline.</c>.
/// A value the trigger does not know is an empty string, as CircleCI leaves <c>pipeline.git.branch</c> empty on a tag
/// pipeline. <c>number</c> is a plain integer and <c>git.branch.is_default</c> a plain boolean; the rest are strings.
/// </summary>
internal static partial class PipelineValueTable
{
    public static IReadOnlyDictionary<string, Node> Build(PipelineValues values, Position at)
    {
        var (repoUrl, owner, name) = Repository(values.GitUrl);
        var isDefault = values.Branch is { Length: > 0 } branch && string.Equals(branch, values.DefaultBranch, StringComparison.Ordinal);
        var table = new Dictionary<string, Node>(StringComparer.Ordinal)
        {
            ["id"] = Text(at, values.Id),
            ["number"] = values.Number is { } number
                ? NodeFactory.Scalar(at, number.ToString(CultureInfo.InvariantCulture), plain: true)
                : Text(at, null),
            ["project.git_url"] = Text(at, values.GitUrl),
            ["project.type"] = Text(at, values.ProjectType),
            ["git.branch"] = Text(at, values.Branch),
            ["git.tag"] = Text(at, values.Tag),
            ["git.revision"] = Text(at, values.Revision),
            ["git.base_revision"] = Text(at, values.BaseRevision),
            ["git.branch.is_default"] = NodeFactory.Scalar(at, isDefault ? "true" : "false", plain: true),
            ["git.repo_url"] = Text(at, repoUrl),
            ["git.repo_owner"] = Text(at, owner),
            ["git.repo_name"] = Text(at, name),
            ["trigger_source"] = Text(at, TriggerSource(values.TriggerSource)),
            ["trigger.type"] = Text(at, values.TriggerSource),
            ["schedule.name"] = Text(at, values.ScheduleName),
            ["schedule.id"] = Text(at, values.ScheduleId),
        };
        return table;
    }

    private static ScalarNode Text(Position at, string? value) => NodeFactory.Scalar(at, value ?? "", plain: false);

    /// <summary>The deprecated <c>pipeline.trigger_source</c> words (§A1.6): a schedule is <c>scheduled_pipeline</c>.</summary>
    private static string? TriggerSource(string? source) => source switch
    {
        TriggerSources.Schedule => "scheduled_pipeline",
        _ => source,
    };

    /// <summary>
    /// The web address, owner and name of a repository whose URL has the form GitHub, GitLab and Bitbucket use
    /// (<c>https://host/owner/repo(.git)</c>, <c>git@host:owner/repo.git</c>, <c>ssh://git@host/owner/repo.git</c>); nulls otherwise.
    /// </summary>
    private static (string? Url, string? Owner, string? Name) Repository(string? gitUrl)
    {
        if (gitUrl is null || HostedRepository().Match(gitUrl.Trim()) is not { Success: true } match)
        {
            return (null, null, null);
        }

        var host = match.Groups["host"].Value;
        var owner = match.Groups["owner"].Value;
        var name = match.Groups["name"].Value;
        return ($"https://{host}/{owner}/{name}", owner, name);
    }

    [GeneratedRegex(@"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?(?<host>[A-Za-z0-9.-]+)(?::[0-9]+)?/|[^@/:]+@(?<host>[A-Za-z0-9.-]+):)(?<owner>[A-Za-z0-9_.-]+)/(?<name>[A-Za-z0-9_.-]+?)(?:\.git)?/?$")]
    private static partial Regex HostedRepository();
}
