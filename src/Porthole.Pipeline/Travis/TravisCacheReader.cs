using System.Globalization;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// A job's <c>cache:</c> (§B12) as the folders to cache: <c>cache: bundler</c>, <c>cache: [bundler, pip]</c>, a map of
/// <c>directories</c> and kinds (<c>{directories: [..], pip: true}</c>), or <c>cache: false</c>. A kind is honoured only
/// by the languages whose travis-build script caches it (TB <c>script/*.rb#setup_cache</c>); node_js caches npm unless
/// told not to (TB <c>data.rb</c> DEFAULT_CACHES). Kinds this runner cannot honour are warnings, not errors.
/// </summary>
internal static class TravisCacheReader
{
    /// <summary>The kinds in the order their folders are listed, with the scripts that honour each and its folders.</summary>
    private static readonly (string Kind, string[] Scripts, string[] Directories)[] Kinds =
    [
        ("bundler", ["ruby", "objective-c"], ["vendor/bundle"]),
        ("yarn", ["node_js", "elm"], ["~/.cache/yarn"]),

        // Travis caches ~/.npm when a lockfile and npm ≥ 5.8 are there, else node_modules: which holds is only known
        // on the node, which skips a missing folder, so both are listed.
        ("npm", ["node_js", "elm"], ["node_modules", "~/.npm"]),
        ("pip", ["python"], ["~/.cache/pip"]),
        ("cargo", ["rust"], ["~/.cargo", "target", "~/.rustup", "~/.cache/sccache"]),
        ("ccache", ["c", "cpp"], ["~/.ccache"]),
    ];

    /// <summary>Kinds travis-yml knows that this runner cannot honour: system packages, R's library, CocoaPods.</summary>
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal) { "apt", "packages", "cocoapods", "composer" };

    /// <summary>The folders to cache, in order and each once; empty when there is nothing to cache.</summary>
    /// <param name="cache">The job's <c>cache:</c> value; null when it has none.</param>
    /// <param name="script">The job's language script (<see cref="TravisLanguages.Script"/>).</param>
    public static IReadOnlyList<string> Read(Node? cache, string script, IReadOnlyList<EnvWord> environment, ErrorList errors)
    {
        var settings = new Settings();
        switch (cache)
        {
            case null or ScalarNode { IsNull: true }:
                break;
            case ScalarNode { IsPlain: true, Value: "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" }:
                return [];
            case ScalarNode { IsPlain: true, Value: "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" }:
                errors.Warn(cache, "cache: true names nothing to cache; give the folders (cache: {directories: [...]}) or the kinds (bundler, pip, npm, ...)");
                break;
            case ScalarNode kind:
                ReadKind(kind, settings, errors);
                break;
            case ListNode list:
                foreach (var item in list.Items)
                {
                    switch (item)
                    {
                        case ScalarNode { IsNull: false } kind:
                            ReadKind(kind, settings, errors);
                            break;
                        case MapNode map:
                            ReadMap(map, settings, errors);
                            break;
                        default:
                            errors.Add(item, $"a cache entry must be a kind such as bundler or a map, found {item.Describe()}");
                            break;
                    }
                }

                break;
            case MapNode map:
                ReadMap(map, settings, errors);
                break;
        }

        var folders = new List<string>();
        foreach (var (directory, at) in settings.Directories)
        {
            folders.Add(TravisCachePaths.Resolve(directory, at, environment, errors));
        }

        foreach (var (kind, scripts, directories) in Kinds)
        {
            var given = settings.Kinds.TryGetValue(kind, out var setting);
            if (!(given ? setting.Enabled : kind == "npm"))
            {
                continue;
            }

            if (!scripts.Contains(script))
            {
                if (given)
                {
                    errors.Warn(setting.At, $"cache {kind} does nothing in a {script} job: Travis caches {kind} only for {string.Join(" and ", scripts)}; list its folders under directories instead");
                }

                continue;
            }

            folders.AddRange(kind == "bundler" ? [BundlePath(environment, setting.At, errors)] : directories);
        }

        return [.. folders.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Bundler's folder: <c>$BUNDLE_PATH</c> when the config sets it, else <c>vendor/bundle</c> (TD caching.md "Determining the bundle path").</summary>
    private static string BundlePath(IReadOnlyList<EnvWord> environment, Node at, ErrorList errors) =>
        environment.Any(word => word.Name == "BUNDLE_PATH")
            ? TravisCachePaths.Resolve("$BUNDLE_PATH", at, environment, errors)
            : "vendor/bundle";

    private static void ReadKind(ScalarNode node, Settings settings, ErrorList errors)
    {
        var kind = node.Value.Trim();
        if (Kinds.Any(known => known.Kind == kind))
        {
            settings.Kinds[kind] = (true, node);
        }
        else if (Unsupported.Contains(kind))
        {
            errors.Warn(node, UnsupportedMessage(kind));
        }
        else if (kind == "directories")
        {
            errors.Add(node, "cache: directories needs its folders: write cache: {directories: [folder, ...]}");
        }
        else
        {
            errors.Add(node, $"unknown cache kind '{kind}'; Travis caches {string.Join(", ", Kinds.Select(known => known.Kind))} and directories");
        }
    }

    private static void ReadMap(MapNode map, Settings settings, ErrorList errors)
    {
        foreach (var entry in map.Entries)
        {
            var name = entry.Name;
            switch (name)
            {
                case "directories":
                    ReadDirectories(entry.Value, settings, errors);
                    break;
                case var kind when Kinds.Any(known => known.Kind == kind):
                    if (Expect.Bool(entry.Value, $"cache.{kind}", errors) is { } enabled)
                    {
                        settings.Kinds[kind] = (enabled, entry.Key);
                    }

                    break;
                case var kind when Unsupported.Contains(kind):
                    if (Expect.Bool(entry.Value, $"cache.{kind}", errors) == true)
                    {
                        errors.Warn(entry.Key, UnsupportedMessage(kind));
                    }

                    break;
                case "timeout":
                    // How long Travis's cache tool may take; the node's own limits apply here.
                    if (entry.Value is not ScalarNode { IsPlain: true } seconds
                        || !int.TryParse(seconds.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var timeout)
                        || timeout < 1)
                    {
                        errors.Add(entry.Value, $"cache.timeout must be a number of seconds, found {Describe(entry.Value)}");
                    }

                    break;
                case "edge":
                    // Picks the edge version of Travis's cache tool; there is one tool here.
                    _ = Expect.Bool(entry.Value, "cache.edge", errors);
                    break;
                case "branch":
                    _ = Expect.Text(entry.Value, "cache.branch", errors);
                    errors.Warn(entry.Key, "cache.branch is not supported: a job restores its branch's cache, then the default branch's, and saves its branch's");
                    break;
                default:
                    errors.Add(entry.Key, $"unknown cache key '{name}'; cache takes directories, {string.Join(", ", Kinds.Select(known => known.Kind))}, timeout, edge and branch");
                    break;
            }
        }
    }

    private static void ReadDirectories(Node node, Settings settings, ErrorList errors)
    {
        IReadOnlyList<Node> items = node switch
        {
            ScalarNode { IsNull: true } => [],
            ScalarNode => [node],
            ListNode list => list.Items,
            _ => Invalid(node, errors),
        };

        foreach (var item in items)
        {
            if (item is not ScalarNode { IsNull: false } folder || folder.Value.Trim().Length == 0)
            {
                errors.Add(item, $"a cache directory must be a path, found {Describe(item)}");
            }
            else if (folder.Value.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(item, "a cache directory cannot hold a NUL character");
            }
            else
            {
                settings.Directories.Add((folder.Value, item));
            }
        }
    }

    private static List<Node> Invalid(Node node, ErrorList errors)
    {
        errors.Add(node, $"cache.directories must be a list of paths, found {node.Describe()}");
        return [];
    }

    private static string UnsupportedMessage(string kind) =>
        $"cache {kind} is not supported here (this runner caches folders, not {kind}); nothing is cached for it";

    private static string Describe(Node node) => node is ScalarNode { IsNull: false } text ? $"'{text.Value}'" : node.Describe();

    /// <summary>What a cache: value asks for: the directories in order, and each kind given with where it was.</summary>
    private sealed class Settings
    {
        public List<(string Directory, Node At)> Directories { get; } = [];

        public Dictionary<string, (bool Enabled, Node At)> Kinds { get; } = new(StringComparer.Ordinal);
    }
}
