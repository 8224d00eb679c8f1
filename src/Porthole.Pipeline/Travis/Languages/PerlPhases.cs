using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// Perl's setup and default phases (TB <c>script/perl.rb</c>): perlbrew's perl when the image has perlbrew,
/// <c>cpanm --installdeps</c>, then Build.PL, Makefile.PL or <c>make test</c>.
/// </summary>
internal static class PerlPhases
{
    public static IReadOnlyList<string> Setup(TravisJobSettings settings) =>
    [
        Choose(("command -v perlbrew >/dev/null 2>&1", Run($"perlbrew use {settings.Version}", $"perlbrew use {ShellQuote.Single(settings.Version ?? "5.14")} || true"))),
        Announce("perl --version", "cpanm --version"),
    ];

    public static IReadOnlyList<string> Install(TravisJobSettings settings) => [Run("cpanm --quiet --installdeps --notest .", retry: true)];

    public static IReadOnlyList<string> Script(TravisJobSettings settings) =>
    [
        Choose(
            ("[ -f Build.PL ]", Run("perl Build.PL && ./Build && ./Build test")),
            ("[ -f Makefile.PL ]", Run("perl Makefile.PL && make test")),
            (null, Run("make test"))),
    ];
}
