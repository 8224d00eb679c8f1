using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Deploy;

/// <summary>
/// Reads a provider's <c>on:</c> (TB <c>addons/deploy/script.rb</c>, TD <c>deployment.md</c> "Conditional Releases"): a map
/// of <c>repo</c>, <c>branch</c> (a name, a list, or a map whose keys are the branches), <c>all_branches</c>, <c>tags</c>,
/// <c>condition</c> (a bash test or a list of them) and runtime keys, or a lone string, which is the branch.
/// </summary>
internal static class DeployConditionsReader
{
    /// <summary>TB <c>script.rb</c> VERSIONED_RUNTIMES: the keys compared with <c>$TRAVIS_&lt;KEY&gt;_VERSION</c>.</summary>
    private static readonly string[] Runtimes =
    [
        "d", "dart", "elm", "elixir", "ghc", "go", "haxe", "jdk", "julia", "mono", "node", "otp_release", "perl", "php",
        "python", "r", "ruby", "rust", "scala", "smalltalk",
    ];

    /// <summary>Spellings travis-build reads as a runtime key (<c>on[:ruby] ||= on[:rvm]</c>).</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["rvm"] = "ruby",
        ["node_js"] = "node",
    };

    /// <param name="node">The <c>on:</c> value; null when the provider has none.</param>
    /// <param name="branchOptionKeys">The branches of the provider's per-branch option hashes, the default when no branch is given.</param>
    /// <returns>The conditions; null when they are wrong (the errors say why).</returns>
    public static DeployConditions? Read(Node? node, IReadOnlyList<string> branchOptionKeys, ErrorList errors)
    {
        IReadOnlyList<string> defaultBranches = branchOptionKeys.Count > 0 ? branchOptionKeys : ["master"];
        switch (node)
        {
            case null or ScalarNode { IsNull: true }:
                return DeployConditions.Default with { Branches = defaultBranches };
            case ScalarNode branch:
                // TB: on = { branch: on.to_str } if on.respond_to? :to_str
                return DeployConditions.Default with { Branches = [branch.Value] };
            case MapNode map:
                return Read(map, defaultBranches, errors);
            default:
                errors.Add(node, $"deploy.on must be a map of conditions (branch, tags, repo, condition, …) or a branch name, found {node.Describe()}");
                return null;
        }
    }

    private static DeployConditions? Read(MapNode map, IReadOnlyList<string> defaultBranches, ErrorList errors)
    {
        var before = errors.Count;
        string? repo = null;
        IReadOnlyList<string>? branches = null;
        var allBranches = false;
        bool? tags = null;
        var custom = new List<string>();
        var runtimes = new Dictionary<string, string>(StringComparer.Ordinal);
        var aliased = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "repo":
                    repo = Expect.Text(entry.Value, "deploy.on.repo", errors);
                    break;
                case "branch":
                    branches = Branches(entry.Value, errors);
                    break;
                case "all_branches":
                    allBranches = Expect.Bool(entry.Value, "deploy.on.all_branches", errors) ?? false;
                    break;
                case "tags":
                    tags = Expect.Bool(entry.Value, "deploy.on.tags", errors);
                    break;
                case "condition":
                    custom.AddRange(Conditions(entry.Value, errors));
                    break;
                case var runtime when Runtimes.Contains(runtime):
                    if (Version(entry, errors) is { } version)
                    {
                        runtimes[runtime] = version;
                    }

                    break;
                case var alias when Aliases.TryGetValue(alias, out var runtime):
                    if (Version(entry, errors) is { } aliasVersion)
                    {
                        aliased[runtime] = aliasVersion;
                    }

                    break;
                default:
                    errors.Warn(entry.Key, $"deploy.on.{entry.Name} is not a condition Travis knows (repo, branch, all_branches, tags, condition, or a runtime such as node_js, python, jdk); it is ignored, as on Travis");
                    break;
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        foreach (var (runtime, version) in aliased)
        {
            runtimes.TryAdd(runtime, version);
        }

        // TB script.rb#branch_condition: no branch condition with all_branches or tags: true.
        var anyBranch = allBranches || tags == true;
        return new DeployConditions(
            repo,
            anyBranch ? null : branches ?? defaultBranches,
            [.. Runtimes.Where(runtimes.ContainsKey).Select(runtime => ($"TRAVIS_{runtime.ToUpperInvariant()}_VERSION", runtimes[runtime]))],
            custom,
            tags);
    }

    private static IReadOnlyList<string>? Branches(Node node, ErrorList errors)
    {
        switch (node)
        {
            case ScalarNode { IsNull: false } name:
                return [name.Value];
            case ListNode list:
                var names = new List<string>();
                foreach (var item in list.Items)
                {
                    if (Expect.Text(item, "a deploy.on.branch item", errors) is { } text)
                    {
                        names.Add(text);
                    }
                }

                if (list.Items.Count == 0)
                {
                    errors.Add(node, "deploy.on.branch names no branch (use all_branches: true to deploy from every branch)");
                }

                return names;
            case MapNode map when map.Entries.Count > 0:
                // Per-branch option hashes (branch: {production: {bucket: a}}): the branches are the keys.
                return [.. map.Entries.Select(entry => entry.Name)];
            default:
                errors.Add(node, $"deploy.on.branch must be a branch name or a list of them, found {node.Describe()}");
                return null;
        }
    }

    private static IEnumerable<string> Conditions(Node node, ErrorList errors)
    {
        IEnumerable<Node> items = node is ListNode list ? list.Items : [node];
        foreach (var item in items)
        {
            if (Expect.Text(item, "deploy.on.condition", errors) is not { } text)
            {
                continue;
            }

            if (text.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(item, "deploy.on.condition cannot hold a NUL character");
                continue;
            }

            yield return text;
        }
    }

    private static string? Version(MapEntry entry, ErrorList errors) =>
        Expect.Text(entry.Value, $"deploy.on.{entry.Name} (the version that deploys)", errors);
}
