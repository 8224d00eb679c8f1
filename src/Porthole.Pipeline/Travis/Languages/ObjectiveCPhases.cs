using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// Objective-C's setup and default phases (TB <c>script/objective_c.rb</c>): bundler as for Ruby, <c>pod install</c> when
/// there is a Podfile, then RubyMotion's <c>rake spec</c> or <c>xcodebuild … build test</c>. They need macOS, so they
/// only run where a runner serves <c>os: osx</c>.
/// </summary>
internal static class ObjectiveCPhases
{
    private static readonly string[] XcodeArguments = ["project", "workspace", "scheme", "sdk", "destination"];

    public static IReadOnlyList<string> Setup(TravisJobSettings settings)
    {
        var items = new List<string>(RubyPhases.BundlerSetup(settings))
        {
            Lines(
                Echo("Disabling Homebrew auto update. If your Homebrew package requires Homebrew DB be up to date, please run `brew update` explicitly."),
                Run("export HOMEBREW_NO_AUTO_UPDATE=1")),
            Choose(($"[ -f {ShellQuote.Single(settings.Podfile)} ]", Lines(
                "mkdir -p \"$HOME/.cocoapods\"",
                "echo \"new_version_message: false\" >> \"$HOME/.cocoapods/config.yaml\""))),
            Announce("xcodebuild -version -sdk", "xcrun simctl list"),
        };
        return items;
    }

    public static IReadOnlyList<string> Install(TravisJobSettings settings)
    {
        var folder = ShellQuote.Single(Path.GetDirectoryName(settings.Podfile) is { Length: > 0 } directory ? directory : ".");
        return
        [
            RubyPhases.BundleInstall(settings),
            Lines(
                $"__porthole_pod_dir={folder}",
                Choose(($"[ -f {ShellQuote.Single(settings.Podfile)} ]", Choose((
                    "! ([[ -f \"$__porthole_pod_dir/Podfile.lock\" && -f \"$__porthole_pod_dir/Pods/Manifest.lock\" ]] && cmp --silent \"$__porthole_pod_dir/Podfile.lock\" \"$__porthole_pod_dir/Pods/Manifest.lock\")",
                    Choose(("pushd \"$__porthole_pod_dir\" >/dev/null", Lines(
                        Choose(
                            ("[ -f \"${BUNDLE_GEMFILE:-Gemfile}\" ]", Lines(Echo("Installing Pods with 'bundle exec pod install'"), Run("bundle exec pod install", retry: true))),
                            (null, Lines(Echo("Installing Pods with 'pod install'"), Run("pod install", retry: true)))),
                        "__porthole_status=$?",
                        "popd >/dev/null || true",
                        "(exit \"$__porthole_status\")")), (null, "false"))))))),
        ];
    }

    public static IReadOnlyList<string> Script(TravisJobSettings settings)
    {
        const string motion = "[ -f Rakefile ] && [[ \"$(cat Rakefile)\" =~ require\\ [\\\"\\']motion/project ]]";
        string fallback;
        if (settings.Xcode.ContainsKey("scheme") && (settings.Xcode.ContainsKey("project") || settings.Xcode.ContainsKey("workspace")))
        {
            var args = string.Join(' ', XcodeArguments.Where(settings.Xcode.ContainsKey).Select(key => $"-{key} {ShellQuote.Single(settings.Xcode[key])}"));
            fallback = Run($"set -o pipefail && xcodebuild {args} build test | xcpretty");
        }
        else
        {
            fallback = Lines(
                "printf '\\033[33;1mWARNING:\\033[33m Using Objective-C testing without specifying a scheme and either a workspace or a project is deprecated.\\033[0m\\n'",
                Echo("  Check out our documentation for more information: http://about.travis-ci.org/docs/user/languages/objective-c/"),
                "false");
        }

        return [Choose(($"{motion} && [ -f Gemfile ]", Run("bundle exec rake spec")), (motion, Run("rake spec")), (null, fallback))];
    }
}
