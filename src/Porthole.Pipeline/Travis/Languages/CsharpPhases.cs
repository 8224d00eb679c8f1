using System.Text.RegularExpressions;
using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// C#'s setup and default phases (TB <c>script/csharp.rb</c>): mono and dotnet versions checked as travis-build checks
/// them, <c>nuget restore</c> and <c>msbuild</c> (<c>xbuild</c> before mono 5) of the <c>solution</c>, and a script that
/// fails when there is no solution to build.
/// </summary>
internal static partial class CsharpPhases
{
    private static readonly HashSet<string> MonoKeywords = new(StringComparer.Ordinal) { "latest", "alpha", "beta", "preview", "weekly", "nightly", "none" };

    public static IReadOnlyList<string> Setup(TravisJobSettings settings)
    {
        var mono = settings.Mono != "none";
        var dotnet = settings.Dotnet != "none";
        var items = new List<string>
        {
            Lines(
                "printf '\\033[31;1mC# support for Travis-CI is community maintained.\\033[0m\\n'",
                "printf '\\033[31;1mPlease open any issues at https://travis-ci.community/c/languages/37-category and cc @joshua-anderson @akoeplinger @nterry\\033[0m\\n'"),
        };
        if (mono && !IsMonoVersionValid(settings))
        {
            items.Add(Fail($"\"{settings.Mono}\" is either an invalid version of \"mono\" or unsupported on this operating system.\nView valid versions of \"mono\" at https://docs.travis-ci.com/user/languages/csharp/"));
        }

        if (dotnet && !IsDotnetVersionValid(settings))
        {
            items.Add(Fail($"\"{settings.Dotnet}\" is either an invalid version of \"dotnet\" or unsupported on this operating system.\nView valid versions of \"dotnet\" at https://docs.travis-ci.com/user/languages/csharp/"));
        }

        if (dotnet)
        {
            items.Add(Lines(Run("export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1"), Run("export DOTNET_CLI_TELEMETRY_OPTOUT=1")));
        }

        var announce = new List<string>();
        if (mono)
        {
            announce.AddRange(["mono --version", $"{BuildCommand(settings)} /version"]);
        }

        if (dotnet)
        {
            announce.Add("dotnet --info");
        }

        if (announce.Count > 0)
        {
            items.Add(Announce([.. announce]));
        }

        return items;
    }

    public static IReadOnlyList<string> Install(TravisJobSettings settings) =>
        settings.Mono != "none" && settings.Solution is { } solution && settings.Mono is not ("2.10.8" or "3.2.8")
            ? [Run($"nuget restore {ShellQuote.Single(solution)}", retry: true)]
            : [];

    public static IReadOnlyList<string> Script(TravisJobSettings settings) =>
        settings.Solution is { } solution && settings.Mono != "none"
            ? [Run($"{BuildCommand(settings)} /p:Configuration=Release {ShellQuote.Single(solution)}")]
            : [Fail("No solution or script defined, exiting")];

    /// <summary>msbuild from mono 5, xbuild before (TB <c>csharp.rb#mono_build_cmd</c>).</summary>
    private static string BuildCommand(TravisJobSettings settings)
    {
        if (!IsMonoVersionValid(settings))
        {
            return "xbuild";
        }

        return MonoKeywords.Contains(settings.Mono) || MonoMajor(settings.Mono) >= 5 ? "msbuild" : "xbuild";
    }

    private static bool IsMonoVersionValid(TravisJobSettings settings)
    {
        if (settings.Os is not ("linux" or "osx"))
        {
            return false;
        }

        if (MonoKeywords.Contains(settings.Mono))
        {
            return true;
        }

        if (!MonoVersion().IsMatch(settings.Mono))
        {
            return false;
        }

        var major = MonoMajor(settings.Mono);
        return settings.Os != "linux" || (major > 2 || settings.Mono == "2.10.8");
    }

    private static bool IsDotnetVersionValid(TravisJobSettings settings) =>
        settings.Os is "linux" or "osx" && DotnetVersion().IsMatch(settings.Dotnet);

    private static int MonoMajor(string mono) => mono.Length > 0 && char.IsAsciiDigit(mono[0]) ? mono[0] - '0' : 0;

    /// <summary>TB MONO_VERSION_REGEXP.</summary>
    [GeneratedRegex(@"^([0-9])\.([0-9]{1,2})\.[0-9]{1,2}\z", RegexOptions.None, matchTimeoutMilliseconds: 100)]
    private static partial Regex MonoVersion();

    /// <summary>TB DOTNET_VERSION_REGEXP.</summary>
    [GeneratedRegex(@"^([0-9])\.([0-9]{1,2})(\.([0-9]{1,3}))?(-[A-Za-z0-9_-]+)?\z", RegexOptions.None, matchTimeoutMilliseconds: 100)]
    private static partial Regex DotnetVersion();
}
