using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// Travis's support rule (§B9, TY <c>matrix/support.rb</c> and <c>doc/value/support.rb</c>): a key, or a value of
/// <c>os</c> or <c>dist</c>, that the job's language, os or arch does not support is dropped, e.g. <c>python:</c> on a
/// ruby build or <c>dist: focal</c> on an osx job. The tables are TY <c>schema.json</c>'s <c>only</c>/<c>except</c>,
/// each key's languages merged across the language definitions as travis-yml merges them.
/// </summary>
internal static class MatrixSupport
{
    private sealed record Rule(string On, bool Only, string[] Values);

    private static readonly Dictionary<string, Rule> Keys = BuildKeys();

    private static readonly Rule ObjectiveCExcluded = new("language", false, ["objective-c"]);

    /// <summary>The values of <c>os</c> and <c>dist</c> that only some jobs support.</summary>
    private static readonly Dictionary<(string Key, string Value), Rule> Values = new()
    {
        [("os", "linux")] = ObjectiveCExcluded,
        [("os", "windows")] = ObjectiveCExcluded,
        [("os", "freebsd")] = ObjectiveCExcluded,
        [("dist", "trusty")] = new("os", true, ["linux"]),
        [("dist", "precise")] = new("os", true, ["linux"]),
        [("dist", "xenial")] = new("os", true, ["linux", "linux-ppc64le"]),
        [("dist", "bionic")] = new("os", true, ["linux"]),
        [("dist", "focal")] = new("os", true, ["linux", "linux-ppc64le"]),
        [("dist", "jammy")] = new("os", true, ["linux"]),
        [("dist", "noble")] = new("os", true, ["linux"]),
        [("dist", "server-2016")] = new("os", true, ["windows"]),
        [("dist", "rhel8")] = new("os", true, ["linux"]),
    };

    /// <summary>Whether <paramref name="key"/> counts for a config or job with these values.</summary>
    public static bool KeySupported(string key, Supporting on) => !Keys.TryGetValue(key, out var rule) || Allows(rule, on);

    /// <summary>Whether a job keeps <paramref name="key"/> with <paramref name="value"/> (§B9 step 8).</summary>
    public static bool Supported(string key, Node value, Supporting on)
    {
        if (!KeySupported(key, on))
        {
            return false;
        }

        return value is not ScalarNode scalar || !Values.TryGetValue((key, scalar.Value), out var rule) || Allows(rule, on);
    }

    /// <summary>
    /// travis-yml's test: <c>only</c> holds when the config has no value for the attribute or one of its values is
    /// listed; <c>except</c> holds when it has none or one that is not listed (several operating systems: any one will do).
    /// </summary>
    private static bool Allows(Rule rule, Supporting on)
    {
        var have = on.On(rule.On);
        if (have.Count == 0)
        {
            return true;
        }

        return rule.Only ? have.Any(rule.Values.Contains) : have.Any(value => !rule.Values.Contains(value));
    }

    private static Dictionary<string, Rule> BuildKeys()
    {
        var keys = new Dictionary<string, Rule>(StringComparer.Ordinal)
        {
            ["arch"] = new("os", true, ["linux"]),
            ["osx_image"] = new("os", true, ["osx"]),
            ["compiler"] = new("language", true, ["c", "cpp"]),
            ["jdk"] = new("language", true, ["android", "clojure", "groovy", "java", "ruby", "scala"]),
            ["otp_release"] = new("language", true, ["elixir", "erlang"]),
            ["node_js"] = new("language", true, ["elm", "node_js"]),
            ["php"] = new("language", true, ["hack", "php"]),
        };

        var byLanguage = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["android"] = ["android"],
            ["clojure"] = ["lein"],
            ["crystal"] = ["crystal"],
            ["csharp"] = ["dotnet", "mono", "solution"],
            ["d"] = ["d"],
            ["dart"] = ["dart", "dart_task", "with_content_shell"],
            ["elixir"] = ["elixir"],
            ["elm"] = ["elm", "elm_format", "elm_test"],
            ["go"] = ["go", "gobuild_args", "go_import_path", "gimme_config"],
            ["hack"] = ["hhvm"],
            ["haskell"] = ["ghc"],
            ["haxe"] = ["haxe", "hxml", "neko"],
            ["julia"] = ["julia"],
            ["matlab"] = ["matlab"],
            ["nix"] = ["nix"],
            ["node_js"] = ["npm_args"],
            ["perl"] = ["perl"],
            ["perl6"] = ["perl6"],
            ["php"] = ["composer_args"],
            ["python"] = ["python", "virtualenv"],
            ["r"] =
            [
                "r", "r_packages", "r_binary_packages", "r_github_packages", "apt_packages", "bioc_packages",
                "brew_packages", "bioc", "bioc_check", "bioc_required", "bioc_use_devel", "cran", "disable_homebrew",
                "latex", "pandoc", "pandoc_version", "r_build_args", "r_check_args", "r_check_revdep",
                "warnings_are_errors", "remotes", "repos",
            ],
            ["objective-c"] = ["xcode_scheme", "xcode_sdk", "podfile", "xcode_destination", "xcode_project", "xcode_workspace", "xctool_args"],
            ["rust"] = ["rust"],
            ["scala"] = ["scala", "sbt_args"],
            ["smalltalk"] = ["smalltalk", "smalltalk_config", "smalltalk_vm", "smalltalk_edge"],
        };
        foreach (var (language, languageKeys) in byLanguage)
        {
            foreach (var key in languageKeys)
            {
                keys[key] = new("language", true, [language]);
            }
        }

        foreach (var key in new[] { "rvm", "gemfile", "bundler_args" })
        {
            keys[key] = new("language", true, ["ruby", "objective-c"]);
        }

        return keys;
    }
}
