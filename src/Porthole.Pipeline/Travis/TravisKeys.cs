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
        ["android"] = "android is not supported",
        ["import"] = "imports are not supported",
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
            case "group" or "osx_image" or "vm":
                // group and vm pick among Travis's own images; osx_image names a macOS job's Xcode (the job's platform).
                break;
            case "conditions" or "version" when isRoot:
                // conditions: v1 is the only version of the if: language (§B11); version is Travis's build config
                // validation version (TY). The config is read the same whatever they say.
                break;
            case "filter_secrets":
                errors.Warn(entry.Key, "filter_secrets has no effect here: secret values are always masked in the log");
                break;
            case "arch":
                CheckArch(entry.Value, errors);
                break;
            case "os":
                CheckOs(entry.Value, errors);
                break;
            case "dist":
                var dist = entry.Value is ScalarNode { IsNull: false } name ? $": {name.Value}" : "";
                errors.Warn(entry.Key, $"dist{dist} only picks the Ubuntu image of a language: minimal/generic job that runs in a container; other jobs run in their language version's image, or on the runner's own system");
                break;
            case "git":
                TravisGit.Read(entry.Value, errors);
                break;
            case "services":
                TravisServices.Check(entry.Value, errors);
                break;
            case "addons":
                TravisAddons.Check(entry.Value, errors);
                break;
            case "deploy" or "before_deploy" or "after_deploy":
                TravisDeploy.Check(entry, errors);
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

    /// <summary>
    /// linux jobs run here; osx and windows jobs are planned and end infrastructure_fail on a runner that cannot serve
    /// them (issue 13), so a config that lists them still builds its linux jobs; other systems are refused.
    /// </summary>
    private static void CheckOs(Node node, ErrorList errors)
    {
        IEnumerable<Node> values = node is ListNode list ? list.Items : [node];
        foreach (var value in values)
        {
            if (value is not ScalarNode { IsNull: false } os)
            {
                errors.Add(value, $"os must be a name such as linux, found {value.Describe()}");
            }
            else if (os.Value is "osx" or "windows")
            {
                var system = os.Value == "osx" ? "macOS" : "Windows";
                errors.Warn(value, $"os: {os.Value} jobs are planned, but they end infrastructure_fail (no {system} runner) unless a runner serves {system}; Porthole's runners run Linux");
            }
            else if (os.Value != "linux")
            {
                errors.Refuse(value, $"os: {os.Value}", $"os: {os.Value} is not supported");
            }
        }
    }

    /// <summary>A job runs on its runner's architecture; another one asked for is named, as the job may depend on it.</summary>
    private static void CheckArch(Node node, ErrorList errors)
    {
        IEnumerable<Node> values = node is ListNode list ? list.Items : [node];
        foreach (var value in values)
        {
            if (value is not ScalarNode { IsNull: false } arch)
            {
                errors.Add(value, $"arch must be a name such as amd64, found {value.Describe()}");
            }
            else if (arch.Value is not ("amd64" or "x86_64"))
            {
                errors.Warn(value, $"arch: {arch.Value} has no effect here: a job runs on its runner's architecture (TRAVIS_CPU_ARCH says which)");
            }
        }
    }
}
