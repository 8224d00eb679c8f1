using System.Diagnostics;
using Porthole.Pipeline.Travis.Languages;

namespace Porthole.Pipeline.Tests.Travis.Languages;

/// <summary>Every command the setup and default phases generate, for every language and the settings that change them, is bash that parses.</summary>
public sealed class DefaultPhaseSyntaxTests
{
    public static TheoryData<string, string[]> Jobs()
    {
        var jobs = new TheoryData<string, string[]>();
        foreach (var language in TravisLanguageCatalog.All)
        {
            jobs.Add(language.Name, []);
        }

        jobs.Add("ruby", ["gemfile: gemfiles/it's.gemfile", "bundler_args: --without 'dev test'", "cache: bundler", "jdk: oraclejdk10", "rvm: 2.4"]);
        jobs.Add("objective-c", ["podfile: ios/Podfile", "xcode_scheme: My App", "xcode_project: App.xcodeproj", "xcode_sdk: iphonesimulator"]);
        jobs.Add("node_js", ["node_js: \"0.8\"", "npm_args: --no-optional"]);
        jobs.Add("python", ["python: pypy3", "virtualenv: {system_site_packages: true}"]);
        jobs.Add("go", ["go: stable", "gobuild_args: -x -t", "go_import_path: example.org/a b"]);
        jobs.Add("scala", ["scala: 2.11.7", "sbt_args: -J-Xss4M"]);
        jobs.Add("cpp", ["compiler: clang", "cache: ccache"]);
        jobs.Add("c", ["compiler: gcc-9"]);
        jobs.Add("csharp", ["solution: a'b.sln", "mono: 4.8.1", "dotnet: 2.1.300"]);
        jobs.Add("csharp", ["mono: 2.10.8", "dotnet: latest"]);
        jobs.Add("elixir", ["elixir: 1.8", "otp_release: 18.0"]);
        jobs.Add("erlang", ["otp_release: 21.3"]);
        jobs.Add("perl", ["perl: 5.30"]);
        jobs.Add("rust", ["rust: nightly-2020-01-01"]);
        jobs.Add("clojure", ["lein: 2.9.1"]);
        jobs.Add("d", ["d: ldc-1.20.0"]);
        return jobs;
    }

    [Theory]
    [MemberData(nameof(Jobs))]
    public void Every_generated_command_parses(string language, string[] lines)
    {
        var found = TravisLanguageCatalog.Find(language, out _);
        var settings = TravisJobSettingsTests.Read(language, lines);
        var commands = TravisDefaultPhases.Setup(found, settings)
            .Concat(TravisDefaultPhases.Install(found, settings))
            .Concat(TravisDefaultPhases.Script(found, settings));

        foreach (var command in commands)
        {
            var start = new ProcessStartInfo("/bin/bash") { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(command);
            using var bash = Process.Start(start)!;
            var error = bash.StandardError.ReadToEnd();
            Assert.True(bash.WaitForExit(TimeSpan.FromSeconds(30)), "bash -n did not finish");
            Assert.True(bash.ExitCode == 0, $"{language}: {error}\n{command}");
        }
    }
}
