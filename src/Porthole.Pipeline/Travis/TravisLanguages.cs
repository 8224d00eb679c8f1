namespace Porthole.Pipeline.Travis;

internal static class TravisLanguages
{
    /// <summary>Travis's language when a config names none (Alamofire's, for one).</summary>
    public const string Default = "ruby";

    /// <summary>
    /// Languages whose default install phase does nothing. Every other language installs dependencies by
    /// default (bundle install, npm install, mvn install, ...), which Porthole does not do.
    /// </summary>
    private static readonly HashSet<string> WithoutDefaultInstall = new(StringComparer.OrdinalIgnoreCase)
    {
        "generic", "minimal", "shell", "sh", "bash", "c", "cpp",
    };

    /// <summary>travis-build's language scripts (TB <c>lib/travis/build/script/*.rb</c>), by the name they answer to.</summary>
    private static readonly HashSet<string> Scripts = new(StringComparer.Ordinal)
    {
        "android", "c", "clojure", "cpp", "crystal", "csharp", "d", "dart", "elixir", "elm", "erlang", "generic", "go",
        "groovy", "haskell", "haxe", "java", "julia", "matlab", "nix", "node_js", "objective-c", "perl", "perl6", "php",
        "python", "r", "ruby", "rust", "scala", "smalltalk",
    };

    /// <summary>The names travis-yml and travis-build turn into another language's (TY <c>schema/def/lang/*.rb</c> aliases, TB <c>build.rb#by_lang</c>).</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["javascript"] = "node_js",
        ["js"] = "node_js",
        ["node"] = "node_js",
        ["golang"] = "go",
        ["jvm"] = "java",
        ["c++"] = "cpp",
        ["cplusplus"] = "cpp",
        ["objective_c"] = "objective-c",
        ["swift"] = "objective-c",
        ["shell"] = "generic",
        ["bash"] = "generic",
        ["sh"] = "generic",
        ["minimal"] = "generic",
    };

    public static bool HasDefaultInstall(string language) => !WithoutDefaultInstall.Contains(language);

    /// <summary>
    /// The travis-build script that runs a job of <paramref name="language"/> (§B8): looked up case-insensitively,
    /// aliases resolved, <c>java*</c> is Java, and any language travis-build has no script for runs the Ruby one.
    /// </summary>
    public static string Script(string language)
    {
        var name = language.Trim().ToLowerInvariant();
        if (Aliases.TryGetValue(name, out var alias))
        {
            return alias;
        }

        if (name.StartsWith("java", StringComparison.Ordinal))
        {
            return "java";
        }

        return Scripts.Contains(name) ? name : "ruby";
    }
}
