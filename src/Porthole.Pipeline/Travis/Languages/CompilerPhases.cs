using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// C and C++ (TB <c>script/c.rb</c>, <c>cpp.rb</c>): CC, CXX and TRAVIS_COMPILER from <c>compiler:</c> (a job's own CC or
/// CXX wins), ccache on PATH with <c>cache: ccache</c>, no default install, and <c>./configure &amp;&amp; make &amp;&amp;
/// make test</c>. Travis's images carry gcc and clang; a compiler the job's image lacks is installed with apt-get when the
/// job runs as root, as it would be there.
/// </summary>
internal static class CompilerPhases
{
    public static IReadOnlyList<string> Setup(TravisLanguage language, TravisJobSettings settings)
    {
        var compiler = settings.Compiler ?? (language.Name == "cpp" ? "g++" : "gcc");
        var items = new List<string>();
        if (language.Name == "cpp")
        {
            var (cc, cxx) = CppPair(compiler);
            items.Add(Lines(
                $"__porthole_cxx={ShellQuote.Single(cxx)}",
                $"__porthole_cc={ShellQuote.Single(cc)}",
                "export CXX=\"${CXX:-$__porthole_cxx}\"",
                "export CXX_FOR_BUILD=\"${CXX_FOR_BUILD:-$__porthole_cxx}\"",
                "export CC=\"${CC:-$__porthole_cc}\"",
                "export CC_FOR_BUILD=\"${CC_FOR_BUILD:-$__porthole_cc}\""));
            items.Add(EnsureInstalled("$CXX", cxx.StartsWith("clang", StringComparison.Ordinal) ? "clang" : "g++"));
        }
        else
        {
            items.Add(Lines(
                $"__porthole_cc={ShellQuote.Single(compiler)}",
                "export CC=\"${CC:-$__porthole_cc}\"",
                "export CC_FOR_BUILD=\"${CC_FOR_BUILD:-$__porthole_cc}\""));
            items.Add(EnsureInstalled("$CC", compiler));
        }

        if (settings.Caches("ccache"))
        {
            items.Add("export PATH=\"/usr/lib/ccache:$PATH\"");
        }

        items.Add(Announce($"{compiler} --version"));
        return items;
    }

    public static IReadOnlyList<string> Script(TravisJobSettings settings) => [Run("./configure && make && make test")];

    /// <summary>C++'s CC and CXX for a compiler name: gcc/g++ for gcc*, g++*, clang/clang++ for clang*, else gcc/g++ (TB <c>cpp.rb#cc</c>, <c>#cxx</c>).</summary>
    public static (string Cc, string Cxx) CppPair(string compiler) =>
        compiler.StartsWith("clang", StringComparison.OrdinalIgnoreCase) ? ("clang", "clang++") : ("gcc", "g++");

    private static string EnsureInstalled(string command, string package) => Choose(($"! command -v \"{command}\" >/dev/null 2>&1", Choose(
        ("[ \"$(id -u)\" = 0 ] && command -v apt-get >/dev/null 2>&1", Lines(
            $"printf 'The compiler %s is not in this job'\\''s image; installing %s\\n' \"{command}\" {ShellQuote.Single(package)}",
            Run($"apt-get update -qq && apt-get install -yq --no-install-recommends {package}", $"apt-get update -qq && apt-get install -yq --no-install-recommends {ShellQuote.Single(package)}"))),
        (null, Lines(
            $"printf 'The compiler %s is not in this job'\\''s image, which cannot install it: map the compiler to an image that has it in the runner'\\''s image table, or install it in before_install\\n' \"{command}\"",
            "false")))));
}
