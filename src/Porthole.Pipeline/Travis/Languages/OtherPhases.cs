using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// The setup and defaults of the smaller scripts: generic (shell, minimal, bash, sh) runs nothing by default; Crystal
/// and D have one-line defaults (TB <c>crystal.rb</c>, <c>d.rb</c>); the languages whose defaults Porthole does not know
/// fail the phase saying so, so that the job is never run as something it is not.
/// </summary>
internal static class OtherPhases
{
    public static IReadOnlyList<string> GenericSetup() => [Announce("bash -c 'echo $BASH_VERSION'")];

    public static IReadOnlyList<string> CrystalInstall() => [Choose(("[ -f shard.yml ]", Run("shards install")))];

    public static IReadOnlyList<string> CrystalScript() => [Run("crystal spec")];

    /// <summary>D's compiler command from <c>d:</c> (dmd, ldc, gdc, with or without <c>-version</c>), unless the job sets DC.</summary>
    public static IReadOnlyList<string> DSetup(TravisJobSettings settings)
    {
        var compiler = (settings.Version ?? "dmd").Split('-')[0] switch
        {
            "ldc" => "ldc2",
            "gdc" => "gdc",
            _ => "dmd",
        };
        return [$"export DC=\"${{DC:-{compiler}}}\""];
    }

    public static IReadOnlyList<string> DScript() => [Run("dub test --compiler=$DC")];

    public static IReadOnlyList<string> Unknown(TravisLanguage language, string phase) =>
        [Fail($"Porthole does not know travis-build's default {phase} for language: {language.Name}; give {phase}: in .travis.yml ({phase}: skip when nothing needs doing).")];
}
