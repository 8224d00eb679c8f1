using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// Python's setup and default phases (TB <c>script/python.rb</c>): Travis's virtualenv when the image has one,
/// <c>pip install -r</c> of Requirements.txt or requirements.txt, and a script that always fails, asking for one.
/// </summary>
internal static class PythonPhases
{
    public const string RequirementsMissing = "Could not locate requirements.txt. Override the install: key in your .travis.yml to install dependencies.";

    public const string ScriptMissing = "Please override the script: key in your .travis.yml to run tests.";

    public static IReadOnlyList<string> Setup(TravisJobSettings settings)
    {
        var version = settings.Version ?? "3.10";
        var virtualenv = version.Contains("pypy", StringComparison.OrdinalIgnoreCase) ? version : "python" + version;
        var activate = $"virtualenv/{virtualenv}{(settings.SystemSitePackages ? "_with_system_site_packages" : "")}/bin/activate";
        var word = "\"$HOME\"/" + ShellQuote.Single(activate);
        return
        [
            Choose(($"[ -f {word} ]", Run($"source ~/{activate}", $"source {word}"))),
            Lines(Announce("python --version", "pip --version"), "export PIP_DISABLE_PIP_VERSION_CHECK=1", "export PIP_PROGRESS_BAR=off"),
        ];
    }

    public static IReadOnlyList<string> Install(TravisJobSettings settings) =>
    [
        Choose(
            ("[ -f Requirements.txt ]", Run("pip install -r Requirements.txt", retry: true)),
            ("[ -f requirements.txt ]", Run("pip install -r requirements.txt", retry: true)),
            (null, Echo(RequirementsMissing))),
    ];

    public static IReadOnlyList<string> Script(TravisJobSettings settings) => [Fail(ScriptMissing)];
}
