using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Deploy;

/// <summary>
/// Reads <c>deploy:</c>: one provider (a map) or a list of them, each with <c>provider:</c>, its <c>on:</c> conditions
/// (<see cref="DeployConditionsReader"/>) and its settings (TB <c>addons/deploy.rb</c>, <c>addons/deploy/script.rb</c>).
/// <c>provider: script</c> runs its <c>script:</c>; any other provider is planned and its step says it was not run.
/// Keys Porthole does not use (provider credentials such as <c>api_key</c>, often a <c>secure</c> map) are accepted.
/// </summary>
internal static class DeployReader
{
    /// <summary>The keys travis-build reads itself; every other key is the provider's (passed to dpl as an option).</summary>
    private static readonly HashSet<string> Understood = new(StringComparer.Ordinal)
    {
        "provider", "script", "skip_cleanup", "cleanup", "edge", "allow_failure", "dpl_version",
    };

    public static IReadOnlyList<DeployProvider> Read(Node node, ErrorList errors)
    {
        switch (node)
        {
            case ScalarNode { IsNull: true }:
                return [];
            case MapNode map:
                return Provider(map, errors) is { } provider ? [provider] : [];
            case ListNode list:
                var providers = new List<DeployProvider>();
                foreach (var item in list.Items)
                {
                    if (item is MapNode entry)
                    {
                        if (Provider(entry, errors) is { } each)
                        {
                            providers.Add(each);
                        }
                    }
                    else
                    {
                        errors.Add(item, $"a deploy provider must be a map (provider: and its settings), found {item.Describe()}");
                    }
                }

                return providers;
            default:
                errors.Add(node, $"deploy must be a map (a provider, e.g. provider: script) or a list of them, found {node.Describe()}");
                return [];
        }
    }

    /// <summary>Whether a key is how Travis writes <c>on:</c>: <c>on</c>, or its YAML 1.1 reading <c>true</c> (TB reads <c>config[:on] || config[true]</c>).</summary>
    public static bool IsOnKey(ScalarNode key) =>
        key.Value is "on" || (key.IsPlain && key.Value is "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "On" or "ON");

    private static DeployProvider? Provider(MapNode map, ErrorList errors)
    {
        if (!map.TryGet("provider", out var providerEntry))
        {
            errors.Add(map, "a deploy provider needs provider: (Porthole runs provider: script)");
            return null;
        }

        if (Expect.Text(providerEntry.Value, "deploy.provider", errors) is not { } name)
        {
            return null;
        }

        var key = new string([.. name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)]);
        var runs = key == "script";
        IReadOnlyList<string> script = [];
        var allowFailure = false;
        var cleanup = false;
        MapEntry? on = null;
        var valid = true;
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "provider":
                    break;
                case "script" when runs:
                    script = PhaseCommands.Read(entry.Value, "deploy.script", errors) ?? [];
                    if (script.Count == 0)
                    {
                        errors.Add(entry.Value, "the script provider's script: must give the command that deploys");
                        valid = false;
                    }

                    break;
                case "allow_failure":
                    allowFailure = Expect.Bool(entry.Value, "deploy.allow_failure", errors) ?? false;
                    break;
                case "cleanup":
                    cleanup = Expect.Bool(entry.Value, "deploy.cleanup", errors) ?? false;
                    break;
                case "skip_cleanup":
                    // dpl v1 cleaned the checkout unless skip_cleanup; dpl v2, which Travis runs now, cleans only with cleanup: true.
                    Expect.Bool(entry.Value, "deploy.skip_cleanup", errors);
                    break;
                case "if":
                    errors.Refuse(entry.Key, "deploy.if", "deploy if: is not supported; give the deploy's conditions under on: (branch, tags, repo, condition)");
                    valid = false;
                    break;
                case var _ when IsOnKey(entry.Key):
                    if (on is not null)
                    {
                        errors.Add(entry.Key, $"deploy has its conditions twice ('{on.Name}' and '{entry.Name}'; YAML 1.1 reads on: as true)");
                        valid = false;
                    }

                    on = entry;
                    break;
                case var other when runs && !Understood.Contains(other):
                    errors.Warn(entry.Key, $"'{other}' is not a setting of the script provider; it is ignored");
                    break;
                default:
                    // Understood (edge, dpl_version: which dpl runs, meaningless here) or the provider's own option.
                    break;
            }
        }

        if (runs && !map.Has("script"))
        {
            errors.Add(map, "the script provider needs script: (the command that deploys)");
            valid = false;
        }

        if (!runs)
        {
            errors.Warn(providerEntry.Value, $"Porthole does not run the {name} provider: the job runs, and its deploy step says that this deployment was not made; to deploy from Porthole, use provider: script with a script that runs the tool");
        }

        var conditions = DeployConditionsReader.Read(on?.Value, BranchOptionKeys(map), errors);
        return valid && conditions is not null ? new DeployProvider(name, key, script, conditions, allowFailure, cleanup) : null;
    }

    /// <summary>
    /// The branches named by per-branch option hashes (<c>bucket: {production: a, staging: b}</c>), which are the default
    /// branches when <c>on.branch</c> is not given (TB <c>script.rb#default_branches</c>). A <c>{secure: …}</c> map is an
    /// encrypted value (Travis decrypts it before it gets here), and <c>edge</c> is not an option.
    /// </summary>
    private static IReadOnlyList<string> BranchOptionKeys(MapNode map) =>
    [
        .. map.Entries
            .Where(entry => entry.Name is not ("edge" or "if") && !IsOnKey(entry.Key))
            .Select(entry => entry.Value)
            .OfType<MapNode>()
            .Where(value => !(value.Entries.Count == 1 && value.Has("secure")))
            .SelectMany(value => value.Entries.Select(entry => entry.Name))
            .Distinct(StringComparer.Ordinal),
    ];
}
