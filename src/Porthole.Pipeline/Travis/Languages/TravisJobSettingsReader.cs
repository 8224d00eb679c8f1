using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// Reads <see cref="TravisJobSettings"/> from a job's merged config. A value of the wrong shape is an error naming
/// its key; the <c>cache:</c> kinds are read leniently, as <see cref="TravisCacheReader"/> reports their errors.
/// </summary>
internal static class TravisJobSettingsReader
{
    /// <summary>The languages whose image is picked by the JDK (TB <c>Jvm</c> and the scripts that include <c>Jdk</c>).</summary>
    private static readonly HashSet<string> JdkPicksImage = new(StringComparer.Ordinal) { "java", "scala", "groovy", "clojure", "android" };

    /// <summary>Scripts with a <c>jdk: default</c> (TB <c>Jvm::DEFAULTS</c>; php and clojure too).</summary>
    private static readonly HashSet<string> DefaultJdk = new(StringComparer.Ordinal) { "java", "scala", "groovy", "clojure", "android", "php" };

    /// <summary>The kinds <c>cache: false</c> turns off (TB <c>data.rb</c> DEFAULT_CACHES).</summary>
    private static readonly string[] DefaultCacheKinds = ["bundler", "cocoapods", "composer", "ccache", "pip", "npm"];

    private static readonly string[] XcodeKeys = ["scheme", "project", "workspace", "sdk", "destination"];

    public static TravisJobSettings Read(MapNode job, TravisLanguage language, string? repoSlug, ErrorList errors)
    {
        string? Matrix(string key) => MatrixValue(job, key, errors);
        string? Text(string key) => job.Get(key) is { } node && node is not ScalarNode { IsNull: true } ? Expect.Text(node, key, errors) : null;

        var given = language.VersionKey is null ? null : Matrix(language.VersionKey);
        var version = Normalize(language.Name, given ?? language.DefaultVersion);
        var jdk = Matrix("jdk") ?? (DefaultJdk.Contains(language.Name) ? "default" : null);
        var compiler = Matrix("compiler") ?? language.Name switch { "c" => "gcc", "cpp" => "g++", _ => null };
        var mono = Matrix("mono") ?? "latest";
        var dotnet = Matrix("dotnet") ?? "none";
        var gemfile = Matrix("gemfile");
        var xcode = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in XcodeKeys)
        {
            if (Matrix("xcode_" + key) is { } value)
            {
                xcode[key] = value;
            }
        }

        var (imageLanguage, imageVersion) = language.Name switch
        {
            "csharp" when dotnet != "none" => ("csharp", dotnet),
            "csharp" when mono != "none" => ("mono", mono),
            "csharp" => ("csharp", "none"),
            var name when JdkPicksImage.Contains(name) => (name, jdk),
            var name => (name, version),
        };

        return new TravisJobSettings
        {
            Version = version,
            VersionGiven = given is not null,
            Os = Matrix("os") ?? "linux",
            Dist = Text("dist"),
            Jdk = jdk,
            Gemfile = gemfile ?? "Gemfile",
            GemfileGiven = gemfile is not null,
            BundlerArgs = Text("bundler_args"),
            NpmArgs = Text("npm_args"),
            GoImportPath = Text("go_import_path") ?? (repoSlug is null ? null : "github.com/" + repoSlug),
            GobuildArgs = Text("gobuild_args") ?? "-v",
            SbtArgs = Text("sbt_args"),
            Compiler = compiler,
            Solution = Matrix("solution"),
            Mono = mono,
            Dotnet = dotnet,
            OtpRelease = language.Name == "elixir" ? Matrix("otp_release") ?? "17.4" : null,
            Lein = Text("lein") ?? "lein",
            SystemSitePackages = SystemSitePackages(job, errors),
            Podfile = Text("podfile") ?? "Podfile",
            Xcode = xcode,
            RepoSlug = repoSlug,
            CacheKinds = CacheKinds(job.Get("cache")),
            ImageLanguage = imageLanguage,
            ImageVersion = imageVersion,
        };
    }

    /// <summary>A matrix key's one value under any of its spellings: a scalar, or a list's first item.</summary>
    private static string? MatrixValue(MapNode job, string key, ErrorList errors)
    {
        foreach (var spelling in TravisLanguageCatalog.Spellings(key))
        {
            switch (job.Get(spelling))
            {
                case null or ScalarNode { IsNull: true } or ListNode { Items.Count: 0 }:
                    continue;
                case ScalarNode scalar:
                    return scalar.Value.Trim();
                case ListNode { Items: [ScalarNode { IsNull: false } first, ..] }:
                    return first.Value.Trim();
                case ListNode list:
                    errors.Add(list.Items[0], $"{spelling} values must be strings, found {list.Items[0].Describe()}");
                    return null;
                case var other:
                    errors.Add(other, $"{spelling} must be a string or a list of strings, found {other.Describe()}");
                    return null;
            }
        }

        return null;
    }

    /// <summary>Travis's own rewrites of a version: YAML floats that lost a zero (perl 5.1 → 5.10, node 0.1 → 0.10), go's <c>go</c> prefix.</summary>
    private static string? Normalize(string language, string? version) => (language, version) switch
    {
        ("perl", "5.1") => "5.10",
        ("perl", "5.2") => "5.20",
        ("perl", "5.3") => "5.30",
        ("node_js", "0.1") => "0.10",
        ("go", { } go) when go != "go1" && go.StartsWith("go", StringComparison.Ordinal) => go[2..],
        _ => version,
    };

    private static bool SystemSitePackages(MapNode job, ErrorList errors)
    {
        foreach (var spelling in TravisLanguageCatalog.Spellings("virtualenv"))
        {
            if (job.Get(spelling) is { } node && Expect.Map(node, spelling, errors) is { } map)
            {
                return map.Get("system_site_packages") is { } flag && Expect.Bool(flag, $"{spelling}.system_site_packages", errors) == true;
            }
        }

        return false;
    }

    private static Dictionary<string, bool> CacheKinds(Node? cache)
    {
        var kinds = new Dictionary<string, bool>(StringComparer.Ordinal);
        void Add(Node item)
        {
            switch (item)
            {
                case ScalarNode { IsNull: false } scalar when Flag(scalar) is { } on:
                    // cache: false turns every kind off; cache: true names none.
                    if (!on)
                    {
                        foreach (var kind in DefaultCacheKinds)
                        {
                            kinds[kind] = false;
                        }
                    }

                    break;
                case ScalarNode { IsNull: false } kind:
                    kinds[kind.Value] = true;
                    break;
                case ListNode list:
                    foreach (var each in list.Items)
                    {
                        Add(each);
                    }

                    break;
                case MapNode map:
                    foreach (var entry in map.Entries)
                    {
                        if (entry.Value is ScalarNode flag && Flag(flag) is { } on)
                        {
                            kinds[entry.Name] = on;
                        }
                    }

                    break;
            }
        }

        if (cache is not null)
        {
            Add(cache);
        }

        return kinds;
    }

    /// <summary>A plain YAML 1.1 boolean, or null for anything else.</summary>
    private static bool? Flag(ScalarNode scalar) => scalar is { IsPlain: true } ? scalar.Value switch
    {
        "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" => true,
        "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" => false,
        _ => null,
    } : null;
}
