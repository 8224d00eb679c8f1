using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// A language's setup and its default <c>install</c> and <c>script</c> (§B8), as bash commands that run in the job's one
/// bash session (§B0). Each item is one command of its phase: install's items stop at the first that fails, script's
/// all run. An item probes the checkout when it runs (Gemfile.lock, package-lock.json, gradlew, …), prints the command
/// it chose as <c>$ command</c> the way travis-build echoes it, and prints Travis's own message where Travis prints one.
/// </summary>
internal static class TravisDefaultPhases
{
    /// <summary>The scripts that include travis-build's <c>Jdk</c> module and so export TRAVIS_JDK_VERSION.</summary>
    private static readonly HashSet<string> WithJdk = new(StringComparer.Ordinal) { "ruby", "java", "groovy", "scala", "php", "clojure", "android" };

    public static IReadOnlyList<string> Install(TravisLanguage language, TravisJobSettings settings) => language.Name switch
    {
        "ruby" => RubyPhases.Install(settings),
        "objective-c" => ObjectiveCPhases.Install(settings),
        "node_js" => NodePhases.Install(settings),
        "python" => PythonPhases.Install(settings),
        "go" => GoPhases.Install(settings),
        "java" or "groovy" => JvmPhases.Install(settings),
        "scala" => JvmPhases.ScalaInstall(settings),
        "clojure" => JvmPhases.ClojureInstall(settings),
        "php" or "rust" or "c" or "cpp" or "generic" or "d" => [],
        "csharp" => CsharpPhases.Install(settings),
        "erlang" => ErlangPhases.Install(settings),
        "elixir" => ErlangPhases.ElixirInstall(settings),
        "perl" => PerlPhases.Install(settings),
        "crystal" => OtherPhases.CrystalInstall(),
        _ => OtherPhases.Unknown(language, "install"),
    };

    public static IReadOnlyList<string> Script(TravisLanguage language, TravisJobSettings settings) => language.Name switch
    {
        "ruby" => RubyPhases.Script(settings),
        "objective-c" => ObjectiveCPhases.Script(settings),
        "node_js" => NodePhases.Script(settings),
        "python" => PythonPhases.Script(settings),
        "go" => GoPhases.Script(settings),
        "java" or "groovy" => JvmPhases.Script(settings),
        "scala" => JvmPhases.ScalaScript(settings),
        "clojure" => JvmPhases.ClojureScript(settings),
        "php" => PhpPhases.Script(settings),
        "rust" => RustPhases.Script(settings),
        "c" or "cpp" => CompilerPhases.Script(settings),
        "csharp" => CsharpPhases.Script(settings),
        "erlang" => ErlangPhases.Script(settings),
        "elixir" => ErlangPhases.ElixirScript(settings),
        "perl" => PerlPhases.Script(settings),
        "generic" => [],
        "crystal" => OtherPhases.CrystalScript(),
        "d" => OtherPhases.DScript(),
        _ => OtherPhases.Unknown(language, "script"),
    };

    /// <summary>
    /// What the language sets up before before_install (TB <c>export</c>, <c>setup</c>, <c>announce</c>): first the
    /// variables (TRAVIS_&lt;LANG&gt;_VERSION, …), silently as Travis exports them, then the setup commands.
    /// </summary>
    public static IReadOnlyList<string> Setup(TravisLanguage language, TravisJobSettings settings)
    {
        var items = new List<string>();
        var exports = Exports(language, settings).ToList();
        if (exports.Count > 0)
        {
            items.Add(Lines([.. exports]));
        }

        items.AddRange(language.Name switch
        {
            "ruby" => RubyPhases.Setup(settings),
            "objective-c" => ObjectiveCPhases.Setup(settings),
            "node_js" => NodePhases.Setup(settings),
            "python" => PythonPhases.Setup(settings),
            "go" => GoPhases.Setup(settings),
            "java" or "groovy" or "clojure" or "android" => JvmPhases.Setup(settings),
            "scala" => JvmPhases.ScalaSetup(settings),
            "php" => PhpPhases.Setup(settings),
            "rust" => RustPhases.Setup(settings),
            "c" or "cpp" => CompilerPhases.Setup(language, settings),
            "csharp" => CsharpPhases.Setup(settings),
            "erlang" => ErlangPhases.Setup(settings.Version ?? "R14B04"),
            "elixir" => ErlangPhases.ElixirSetup(settings),
            "perl" => PerlPhases.Setup(settings),
            "generic" => OtherPhases.GenericSetup(),
            "d" => OtherPhases.DSetup(settings),
            _ => [],
        });
        return items;
    }

    /// <summary>The variables travis-build's <c>export</c> stage sets for the language, in its order.</summary>
    private static IEnumerable<string> Exports(TravisLanguage language, TravisJobSettings settings)
    {
        if (WithJdk.Contains(language.Name) && language.VersionKey != "jdk" && settings.Jdk is { } jdk)
        {
            yield return Export("TRAVIS_JDK_VERSION", jdk);
        }

        if (language.Name == "elixir")
        {
            yield return Export("TRAVIS_OTP_RELEASE", settings.OtpRelease ?? "17.4");
        }

        // Go exports its version with the import path (GoPhases); node only a version the job gives (nvm exports the default).
        var exportsVersion = language.Name switch
        {
            "go" => false,
            "node_js" => settings.VersionGiven,
            _ => true,
        };
        if (exportsVersion && language.VersionVariable is { } variable && settings.Version is { } version)
        {
            yield return Export(variable, version);
        }

        if (language.Name == "objective-c")
        {
            foreach (var key in new[] { "sdk", "scheme", "project", "workspace", "destination" })
            {
                yield return Export($"TRAVIS_XCODE_{key.ToUpperInvariant()}", settings.Xcode.GetValueOrDefault(key, ""));
            }
        }

        if (language.Name == "csharp")
        {
            if (settings.Solution is { } solution)
            {
                yield return Export("TRAVIS_SOLUTION", solution);
            }

            yield return "export STANDARD_CI_SOURCE_REVISION_ID=\"${TRAVIS_COMMIT}\"";
            yield return "export STANDARD_CI_REPOSITORY_URL=\"https://github.com/${TRAVIS_REPO_SLUG}\"";
            yield return "export STANDARD_CI_REPOSITORY_TYPE=git";
        }
    }
}
