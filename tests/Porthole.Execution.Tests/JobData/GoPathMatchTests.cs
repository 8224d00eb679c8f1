using Porthole.Execution.JobData;

namespace Porthole.Execution.Tests.JobData;

/// <summary>
/// <c>persist_to_workspace</c>'s globs are Go's <c>filepath.Match</c> (§A5). The table is Go's own
/// (<c>src/path/filepath/match_test.go</c>, rewritten as ours), plus the cases workspaces meet: leading dots, <c>[!…]</c>.
/// </summary>
public sealed class GoPathMatchTests
{
    public static TheoryData<string, string, bool> GoMatches => new()
    {
        { "abc", "abc", true },
        { "*", "abc", true },
        { "*c", "abc", true },
        { "a*", "a", true },
        { "a*", "abc", true },
        { "a*", "ab/c", false },
        { "a*/b", "abc/b", true },
        { "a*/b", "a/c/b", false },
        { "a*b*c*d*e*/f", "axbxcxdxe/f", true },
        { "a*b*c*d*e*/f", "axbxcxdxexxx/f", true },
        { "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false },
        { "a*b*c*d*e*/f", "axbxcxdxexxx/fff", false },
        { "a*b?c*x", "abxbbxdbxebxczzx", true },
        { "a*b?c*x", "abxbbxdbxebxczzy", false },
        { "ab[c]", "abc", true },
        { "ab[b-d]", "abc", true },
        { "ab[e-g]", "abc", false },
        { "ab[^c]", "abc", false },
        { "ab[^b-d]", "abc", false },
        { "ab[^e-g]", "abc", true },
        { "a\\*b", "a*b", true },
        { "a\\*b", "ab", false },
        { "a?b", "a☺b", true },
        { "a[^a]b", "a☺b", true },
        { "a???b", "a☺b", false },
        { "a[^a][^a][^a]b", "a☺b", false },
        { "[a-ζ]*", "α", true },
        { "*[a-ζ]", "A", false },
        { "a?b", "a/b", false },
        { "a*b", "a/b", false },
        { "[\\]a]", "]", true },
        { "[\\-]", "-", true },
        { "[x\\-]", "x", true },
        { "[x\\-]", "-", true },
        { "[x\\-]", "z", false },
        { "[\\-x]", "x", true },
        { "[\\-x]", "-", true },
        { "[\\-x]", "a", false },
        { "*x", "xxx", true },
    };

    public static TheoryData<string, string> GoBadPatterns => new()
    {
        { "[]a]", "]" },
        { "[-]", "-" },
        { "[x-]", "x" },
        { "[x-]", "-" },
        { "[x-]", "z" },
        { "[-x]", "x" },
        { "[-x]", "-" },
        { "[-x]", "a" },
        { "\\", "a" },
        { "[a-b-c]", "a" },
        { "[", "a" },
        { "[^", "a" },
        { "[^bc", "a" },
        { "a[", "a" },
        { "a[", "ab" },
        { "a[", "x" },
        { "a/b[", "x" },
    };

    [Theory]
    [MemberData(nameof(GoMatches))]
    public void Matches_as_go_does(string pattern, string name, bool expected)
    {
        Assert.Equal(expected, GoPathMatch.Match(pattern, name));
        Assert.True(GoPathMatch.IsValid(pattern));
    }

    [Theory]
    [MemberData(nameof(GoBadPatterns))]
    public void A_malformed_pattern_is_an_error_even_where_the_name_stopped_matching_first(string pattern, string name)
    {
        var error = Assert.Throws<BadPatternException>(() => GoPathMatch.Match(pattern, name));

        Assert.Contains(pattern, error.Message, StringComparison.Ordinal);
        Assert.False(GoPathMatch.IsValid(pattern));
    }

    [Theory]
    [InlineData("*", ".hidden", true)]
    [InlineData("cov_*.part", "cov_1.part", true)]
    [InlineData("cov_*.part", "cov_1.part/x", false)]
    [InlineData(".*", ".bashrc", true)]
    [InlineData("?bashrc", ".bashrc", true)]
    [InlineData("*/*.xml", "reports/a.xml", true)]
    [InlineData("*/*.xml", "reports/sub/a.xml", false)]
    [InlineData("[!a]", "!", true)]
    [InlineData("[!a]", "b", false)]
    [InlineData("dist", "dist", true)]
    [InlineData("dist", "dist/", false)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("a*", "", false)]
    [InlineData("**", "a/b", false)]
    public void Workspace_shapes_match_as_go_would(string pattern, string name, bool expected)
    {
        // Go's * matches a leading dot (unlike sh), only ^ negates a class, and ** is two stars, not "any depth".
        Assert.Equal(expected, GoPathMatch.Match(pattern, name));
    }

    [Theory]
    [InlineData("plain/path.txt", false)]
    [InlineData("a*", true)]
    [InlineData("a?", true)]
    [InlineData("[ab]", true)]
    [InlineData("a\\b", true)]
    [InlineData("a]b{c}", false)]
    public void Has_meta_is_true_for_the_four_special_characters(string path, bool expected)
    {
        Assert.Equal(expected, GoPathMatch.HasMeta(path));
    }
}
