namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// Every language travis-build has a script for, found the way Travis finds it (§B8): case-insensitively, through
/// travis-yml's aliases (TY <c>schema/def/lang/*.rb</c>) and travis-build's (TB <c>build.rb#by_lang</c>), <c>java*</c> as
/// Java, and anything else as Ruby, which is what travis-build runs for a language it has no script for.
/// </summary>
internal static class TravisLanguageCatalog
{
    /// <summary>The language when a config names none (and its os is not osx).</summary>
    public static TravisLanguage Ruby { get; } = new("ruby", ["rvm", "gemfile", "jdk"], "rvm", "default", "TRAVIS_RUBY_VERSION");

    private static readonly TravisLanguage[] Languages =
    [
        Ruby,
        new("node_js", ["node_js"], "node_js", "0.10", "TRAVIS_NODE_VERSION"),
        new("python", ["python"], "python", "3.10", "TRAVIS_PYTHON_VERSION"),
        new("go", ["go"], "go", "1.11.x", "TRAVIS_GO_VERSION"),
        new("java", ["jdk"], "jdk", "default", "TRAVIS_JDK_VERSION"),
        new("php", ["php"], "php", "7.2", "TRAVIS_PHP_VERSION"),
        new("rust", ["rust"], "rust", "stable", "TRAVIS_RUST_VERSION"),
        new("c", ["compiler"], "compiler", "gcc", "TRAVIS_COMPILER"),
        new("cpp", ["compiler"], "compiler", "g++", "TRAVIS_COMPILER"),
        new("csharp", ["mono", "dotnet", "solution"], "mono", "latest", null),
        new("elixir", ["elixir", "otp_release"], "elixir", "1.0.2", "TRAVIS_ELIXIR_VERSION"),
        new("erlang", ["otp_release"], "otp_release", "R14B04", "TRAVIS_OTP_RELEASE"),
        new("perl", ["perl"], "perl", "5.14", "TRAVIS_PERL_VERSION"),
        new("scala", ["scala", "jdk"], "scala", "2.12.8", "TRAVIS_SCALA_VERSION"),
        new("generic", [], null, null, null),
        new("objective-c", ["rvm", "gemfile", "xcode_scheme", "xcode_sdk"], "rvm", "default", "TRAVIS_RUBY_VERSION"),
        new("groovy", ["jdk"], "jdk", "default", "TRAVIS_JDK_VERSION"),
        new("clojure", ["jdk"], "jdk", "default", "TRAVIS_JDK_VERSION"),
        new("crystal", ["crystal"], "crystal", "stable", null),
        new("d", ["d"], "d", "dmd", null),
        new("android", ["jdk"], "jdk", "default", "TRAVIS_JDK_VERSION") { HasKnownDefaults = false },
        new("dart", ["dart", "dart_task"], "dart", "stable", "TRAVIS_DART_VERSION") { HasKnownDefaults = false },
        new("elm", ["elm", "node_js"], "elm", "latest-0.19.1", "TRAVIS_ELM_VERSION") { HasKnownDefaults = false },
        new("haskell", ["ghc"], "ghc", null, "TRAVIS_HASKELL_VERSION") { HasKnownDefaults = false },
        new("haxe", ["haxe"], "haxe", "stable", "TRAVIS_HAXE_VERSION") { HasKnownDefaults = false },
        new("julia", ["julia"], "julia", "1", "TRAVIS_JULIA_VERSION") { HasKnownDefaults = false },
        new("matlab", ["matlab"], "matlab", "latest", "TRAVIS_MATLAB_VERSION") { HasKnownDefaults = false },
        new("nix", ["nix"], "nix", "2.3.6", null) { HasKnownDefaults = false },
        new("perl6", ["perl6"], "perl6", "latest", "TRAVIS_PERL6_VERSION") { HasKnownDefaults = false },
        new("r", ["r"], "r", "release", "TRAVIS_R_VERSION") { HasKnownDefaults = false },
        new("smalltalk", ["smalltalk", "smalltalk_config", "smalltalk_vm"], "smalltalk", null, "TRAVIS_SMALLTALK_VERSION") { HasKnownDefaults = false },
    ];

    private static readonly Dictionary<string, TravisLanguage> ByName = Languages.ToDictionary(language => language.Name, StringComparer.Ordinal);

    /// <summary>The names travis-yml and travis-build turn into another language's.</summary>
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

    /// <summary>The other spellings travis-yml accepts for a matrix key (TY <c>matrix :rvm, alias: [:ruby, :rbenv]</c>, …).</summary>
    private static readonly Dictionary<string, string[]> KeyAliases = new(StringComparer.Ordinal)
    {
        ["rvm"] = ["ruby", "rbenv"],
        ["gemfile"] = ["gemfiles"],
        ["node_js"] = ["node"],
        ["virtualenv"] = ["virtual_env"],
    };

    /// <summary>Every language travis-build has a script for, Ruby first.</summary>
    public static IReadOnlyList<TravisLanguage> All => Languages;

    /// <summary>
    /// The language <paramref name="written"/> names: case-insensitive, aliases resolved, <c>java*</c> is Java. A name
    /// travis-build has no script for runs the Ruby script, as on Travis, and sets <paramref name="fellBack"/> so the
    /// caller can warn.
    /// </summary>
    public static TravisLanguage Find(string written, out bool fellBack)
    {
        var name = written.Trim().ToLowerInvariant();
        if (Aliases.TryGetValue(name, out var alias))
        {
            name = alias;
        }
        else if (name.StartsWith("java", StringComparison.Ordinal))
        {
            name = "java";
        }

        fellBack = !ByName.TryGetValue(name, out var language);
        return language ?? Ruby;
    }

    /// <summary>A key's own name followed by its aliases (<c>rvm</c>: <c>rvm</c>, <c>ruby</c>, <c>rbenv</c>); the key alone when it has none.</summary>
    public static IReadOnlyList<string> Spellings(string key) =>
        KeyAliases.TryGetValue(key, out var aliases) ? [key, .. aliases] : [key];
}
