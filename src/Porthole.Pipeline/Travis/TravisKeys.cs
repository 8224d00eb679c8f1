using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// Which keys a Travis config (its root or a jobs.include entry) may have. Each key Travis knows is either
/// read by <see cref="TravisReader"/>, accepted because it changes nothing about how a job runs, or
/// refused by name; a key Travis does not know is an error.
/// </summary>
internal static class TravisKeys
{
    /// <summary>Keys that pick a language runtime's version (and expand the build matrix when given a list).</summary>
    private static readonly HashSet<string> VersionKeys = new(StringComparer.Ordinal)
    {
        "node_js", "python", "rvm", "ruby", "php", "go", "jdk", "scala", "rust", "elixir", "otp_release",
        "perl", "perl6", "mono", "dotnet", "ghc", "julia", "r", "crystal", "d", "dart", "haxe", "smalltalk",
        "nix", "elm", "hhvm",
    };

    /// <summary>Keys that change what a job runs or where, refused with these messages; the feature is the key.</summary>
    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["addons"] = "addons are not supported",
        ["services"] = "services are not supported",
        ["deploy"] = "deploy is not supported",
        ["before_deploy"] = "before_deploy is not supported",
        ["after_deploy"] = "after_deploy is not supported",
        ["group"] = "group is not supported",
        ["arch"] = "arch is not supported",
        ["osx_image"] = "osx_image is not supported",
        ["android"] = "android is not supported",
        ["import"] = "imports are not supported",
        ["filter_secrets"] = "filter_secrets is not supported",
        ["version"] = "version (build config validation) is not supported",
    };

    public static void Check(MapNode map, bool isRoot, ErrorList errors)
    {
        foreach (var entry in map.Entries)
        {
            Check(entry, isRoot, errors);
        }
    }

    private static void Check(MapEntry entry, bool isRoot, ErrorList errors)
    {
        var key = entry.Name;
        switch (key)
        {
            case "language" or "env" or "cache":
            case "jobs" or "matrix" when isRoot:
            case "name" when !isRoot:
            case var phase when TravisPhase.IsPhase(phase):
                // Read by TravisReader.
                break;
            case "sudo":
                // Travis has ignored sudo since 2018 (every job runs in a VM with sudo); it changes nothing there either.
                break;
            case "notifications":
                // Notifications are sent once a job is over; they never change how it runs.
                break;
            case "os":
                CheckOs(entry.Value, errors);
                break;
            case "dist":
                var dist = entry.Value is ScalarNode { IsNull: false } name ? $": {name.Value}" : "";
                errors.Warn(entry.Key, $"dist{dist} has no effect here: a job runs in its language version's image, or on the runner's own system");
                break;
            case "git":
                TravisGit.Read(entry.Value, errors);
                break;
            case "stages" or "if" or "branches" when isRoot:
            case "stage" or "if" or "allow_failure" when !isRoot:
                // Read by the build matrix (§B9, §B10, §B11) and TravisReader (§B12).
                break;
            case "compiler" or "bundler_args" or "gemfile" or "go_import_path" or "gobuild_args" or "virtualenv" or "podfile"
                or "xcode_project" or "xcode_workspace" or "xcode_scheme" or "xcode_destination" or "xcode_sdk" or "lein" or "solution":
                // Read by the language's setup and default phases (Languages/TravisJobSettings, §B8); some are matrix keys (§B9).
                break;
            case var version when VersionKeys.Contains(version):
                // Read by the build matrix (§B9); a job's version picks its image (TravisJobReader).
                break;
            case var refused when Refused.TryGetValue(refused, out var message):
                errors.Refuse(entry.Key, key, message);
                break;
            default:
                errors.Add(entry.Key, isRoot ? $"unknown key '{key}'" : $"unknown key '{key}' in a jobs.include entry");
                break;
        }
    }

    private static void CheckOs(Node node, ErrorList errors)
    {
        IEnumerable<Node> values = node is ListNode list ? list.Items : [node];
        foreach (var value in values)
        {
            if (value is not ScalarNode { IsNull: false } os)
            {
                errors.Add(value, $"os must be a name such as linux, found {value.Describe()}");
            }
            else if (os.Value != "linux")
            {
                errors.Refuse(value, $"os: {os.Value}", $"os: {os.Value} is not supported");
            }
        }
    }
}
