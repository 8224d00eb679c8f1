using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// Ruby's setup and default phases (TB <c>script/ruby.rb</c>, <c>shared/bundler.rb</c>, <c>shared/rvm.rb</c>): the gemfile
/// and bundler, <c>bundle install</c> probed at run time, <c>bundle exec rake</c> or <c>rake</c>. The runtime is the job's
/// image, so rvm is not run; a <c>.ruby-version</c> that rvm would have followed is pointed out instead.
/// </summary>
internal static class RubyPhases
{
    private const string DefaultBundlerArgs = "--jobs=3 --retry=3";

    public static IReadOnlyList<string> Setup(TravisJobSettings settings)
    {
        var items = new List<string>();
        items.AddRange(BundlerSetup(settings));
        if (settings.Version == "default")
        {
            items.Add(Choose(("[ -f .ruby-version ]", Lines(
                "printf 'Travis would use Ruby %s from .ruby-version; this job runs the Ruby of its image (%s): set rvm: in .travis.yml to pick another\\n' \"$(< .ruby-version)\" \"$(ruby -e 'print RUBY_VERSION' 2>/dev/null)\""))));
        }

        items.Add(InstallBundler);
        items.AddRange(JvmPhases.JdkSetup(settings));
        items.Add(Announce("ruby --version", "gem --version", "bundle --version"));
        return items;
    }

    public static IReadOnlyList<string> Install(TravisJobSettings settings) => [BundleInstall(settings)];

    public static IReadOnlyList<string> Script(TravisJobSettings settings) =>
        [Choose(($"[ -f {ShellQuote.Single(settings.Gemfile)} ]", Run("bundle exec rake")), (null, Run("rake")))];

    /// <summary>A gemfile the job names must be there; BUNDLE_GEMFILE points at the gemfile when there is one (TB <c>bundler.rb#setup</c>).</summary>
    public static IEnumerable<string> BundlerSetup(TravisJobSettings settings)
    {
        if (settings.GemfileGiven)
        {
            yield return Choose(
                ($"[ -f {ShellQuote.Single(settings.Gemfile)} ]", Echo($"Using {settings.Gemfile}")),
                (null, Fail($"{settings.Gemfile} not found, cannot continue")));
        }

        yield return Lines(
            GemfileVariable(settings),
            Choose(("[ -f \"${BUNDLE_GEMFILE:-$__porthole_gemfile}\" ]", "export BUNDLE_GEMFILE=\"$PWD/$__porthole_gemfile\"")));
    }

    /// <summary>
    /// <c>bundle install</c> when there is a gemfile, with <c>--deployment</c> when it is locked, and
    /// <c>--path=${BUNDLE_PATH:-vendor/bundle}</c> with <c>cache: bundler</c>; <c>bundler_args</c> replace the default
    /// arguments (TB <c>bundler.rb#install</c>).
    /// </summary>
    public static string BundleInstall(TravisJobSettings settings) => Lines(
        GemfileVariable(settings),
        Choose(
            ("[ -f \"${BUNDLE_GEMFILE:-$__porthole_gemfile}\" ]", Choose(
                ("[ -f \"${BUNDLE_GEMFILE:-$__porthole_gemfile}.lock\" ]", Lines(
                    "if [ -e vendor/cache ] && [ \"$(du -s vendor/cache | cut -f 1)\" -eq 0 ]; then rm -rf vendor/cache; fi",
                    Run(BundleCommand(settings, "--deployment"), retry: true))),
                (null, Run(BundleCommand(settings, null), retry: true)))),
            (null, Echo("No Gemfile found, skipping bundle install"))));

    /// <summary>The bundle install command line (TB <c>bundler.rb#bundler_install</c>).</summary>
    public static string BundleCommand(TravisJobSettings settings, string? extra)
    {
        var args = settings.BundlerArgs ?? string.Join(' ', new[] { DefaultBundlerArgs, extra }.OfType<string>());
        if (settings.Caches("bundler") && !NamesBundlePath(settings.BundlerArgs))
        {
            args += " --path=${BUNDLE_PATH:-vendor/bundle}";
        }

        return $"bundle install {args}".TrimEnd();
    }

    /// <summary>Whether the job's own bundler_args give a bundle path (<c>--path</c>, or <c>--deployment</c>'s vendor/bundle).</summary>
    private static bool NamesBundlePath(string? bundlerArgs) =>
        bundlerArgs is not null &&
        (bundlerArgs.Contains("--path=", StringComparison.Ordinal) || bundlerArgs.Contains("--path ", StringComparison.Ordinal) ||
         bundlerArgs.Contains("--deployment", StringComparison.Ordinal));

    private static string GemfileVariable(TravisJobSettings settings) => $"__porthole_gemfile={ShellQuote.Single(settings.Gemfile)}";

    /// <summary>Bundler when the image has none: before 2.0 for Ruby older than 2.5 (TB <c>rvm.rb#install_bundler</c>).</summary>
    private static string InstallBundler => Lines(
        Vers2Int,
        Choose(("! command -v bundle >/dev/null 2>&1", Choose(
            ("[ \"$(travis_vers2int \"$(ruby -e 'puts RUBY_VERSION')\")\" -lt \"$(travis_vers2int 2.5.0)\" ]", Run("gem install bundler -v '< 2'")),
            (null, Run("gem install bundler"))))));
}
