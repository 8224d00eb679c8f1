using Porthole.Pipeline.Travis.Conditions;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// What Travis's <c>if:</c> conditions read about the request (dialects.md §B11 "Data"): the event's type, the branch
/// (the tag's name on a tag build), the tag, the repository's slug, the commit message; a job's own <c>os</c>,
/// <c>dist</c>, <c>group</c>, <c>sudo</c>, <c>language</c> and variables are added per job. Without a trigger (a config
/// checked on its own) there is nothing to decide conditions by: <see cref="Known"/> is false.
/// </summary>
internal sealed class TravisRequest
{
    private readonly ConditionData _data;

    private TravisRequest(ConditionData data, bool known)
    {
        _data = data;
        Known = known;
    }

    /// <summary>The trigger is known: conditions are decided; otherwise every one is taken as true, with a warning.</summary>
    public bool Known { get; }

    /// <summary>The branch a build is filtered by (<c>branches:</c>): the tag's name on a tag build (§B12).</summary>
    public string? Branch => _data.Branch;

    public static TravisRequest From(PipelineValues values)
    {
        var type = values.TriggerSource switch
        {
            TriggerSources.Webhook => "push",
            TriggerSources.Api => "api",
            TriggerSources.Schedule => "cron",
            _ => null,
        };
        return new TravisRequest(
            new ConditionData
            {
                Type = type,
                Repo = Slug(values.GitUrl),
                Branch = values.Tag ?? values.Branch,
                Tag = values.Tag,
                CommitMessage = values.CommitMessage,
                Fork = false,
            },
            known: type is not null);
    }

    /// <summary>The data for the root's and the stages' conditions: the request and the root config's own keys.</summary>
    public ConditionData ForConfig(MapNode config, IReadOnlyDictionary<string, string> environment) => _data with
    {
        Os = Text(config, "os") ?? "linux",
        Dist = Text(config, "dist"),
        Group = Text(config, "group"),
        Sudo = Text(config, "sudo"),
        Language = Text(config, "language") ?? TravisLanguages.Default,
        Env = environment,
    };

    /// <summary><c>owner/name</c> of a repository URL or path (its last two parts, without <c>.git</c>); null for none.</summary>
    internal static string? Slug(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var parts = url.TrimEnd('/').Split(['/', ':'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            return null;
        }

        var name = parts[^1].EndsWith(".git", StringComparison.Ordinal) ? parts[^1][..^4] : parts[^1];
        return $"{parts[^2]}/{name}";
    }

    private static string? Text(MapNode config, string key) => config.Get(key) switch
    {
        ScalarNode { IsNull: false } scalar => scalar.Value,
        ListNode { Items: [ScalarNode { IsNull: false } first, ..] } => first.Value,
        _ => null,
    };
}
