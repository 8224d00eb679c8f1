using Porthole.Pipeline.Travis.Conditions;

namespace Porthole.Pipeline.Tests.Travis.Conditions;

/// <summary>
/// <c>=~</c> is a Ruby regex, unanchored (§B11; TC eval.rb <c>lft =~ rgt</c>); Ruby syntax is translated and what
/// .NET cannot match the same way makes the condition false with a problem, never an exception.
/// </summary>
public sealed class ConditionRegexTests
{
    private static bool Matches(string text, string? value)
    {
        var data = new ConditionData { Branch = value, Env = new Dictionary<string, string> { ["RE"] = "^rel" } };
        return ConditionEvaluationTests.Eval(text, data);
    }

    private static string Problem(string text, ConditionData? data = null)
    {
        var condition = TravisCondition.Parse(text, out var error);
        Assert.True(condition is not null, error?.Message);
        Assert.False(condition.Evaluate(data ?? new ConditionData { Branch = "master" }, out var problem));
        Assert.NotNull(problem);
        return problem;
    }

    [Theory]
    [InlineData("branch =~ ast", "master", true)]
    [InlineData("branch =~ ^ast", "master", false)]
    [InlineData("branch =~ ^master$", "master", true)]
    [InlineData("branch =~ ^master$", "master-2", false)]
    [InlineData("branch !~ ast", "master", false)]
    [InlineData("branch ~= ^m", "master", true)]
    [InlineData("branch =~ /^release\\/.*$/", "release/1.2", true)]
    [InlineData("branch =~ /^feat (x|y)$/", "feat y", true)]
    [InlineData("branch =~ env(RE)", "release-1", true)]
    [InlineData("branch =~ env(RE)", "prerelease", false)]
    [InlineData("branch =~ //", "anything", true)]
    public void Matching_is_unanchored(string text, string value, bool expected)
    {
        Assert.Equal(expected, Matches(text, value));
    }

    [Theory]
    [InlineData("branch =~ .*", false)]
    [InlineData("branch !~ .*", true)]
    [InlineData("branch =~ env(MISSING)", false)]
    [InlineData("branch =~ false", false)]
    [InlineData("branch !~ FALSE", true)]
    public void An_absent_operand_or_pattern_does_not_match(string text, bool expected)
    {
        // TC eval.rb `match`: lft && rgt && …, so nil on either side is no match, and !~ is its negation.
        Assert.Equal(expected, Matches(text, null));
    }

    [Fact]
    public void A_boolean_operand_is_matched_as_its_text()
    {
        Assert.True(ConditionEvaluationTests.Eval("fork =~ ^true$", new ConditionData { Fork = true }));
        Assert.True(ConditionEvaluationTests.Eval("branch =~ ^true$", new ConditionData { Branch = "TRUE" }));
    }

    [Fact]
    public void Caret_and_dollar_match_at_line_boundaries_as_in_ruby()
    {
        var data = new ConditionData { CommitMessage = "Update docs\n[deploy]\nmore" };
        Assert.True(ConditionEvaluationTests.Eval("commit_message =~ ^\\[deploy\\]$", data));
        Assert.False(ConditionEvaluationTests.Eval("commit_message =~ /\\A\\[deploy\\]/", data));
        Assert.True(ConditionEvaluationTests.Eval("commit_message =~ /\\AUpdate/", data));
        Assert.True(ConditionEvaluationTests.Eval("commit_message =~ /more\\z/", data));
        Assert.False(ConditionEvaluationTests.Eval("commit_message =~ /docs\\z/", data));
        Assert.True(ConditionEvaluationTests.Eval("commit_message =~ /fix\\Z/", new ConditionData { CommitMessage = "fix\n" }));
        Assert.False(ConditionEvaluationTests.Eval("commit_message =~ /fix\\z/", new ConditionData { CommitMessage = "fix\n" }));
    }

    [Theory]
    [InlineData("branch =~ ^\\h+$", "deadBEEF09", true)]
    [InlineData("branch =~ ^\\h+$", "xyz", false)]
    [InlineData("branch =~ ^[\\h-]+$", "ab-12", true)]
    [InlineData("branch =~ /^(?i:epic)\\/major/", "EPIC/major-1", true)]
    [InlineData("branch =~ /^(?i:epic)\\/major/", "EPIC/MAJOR-1", false)]
    [InlineData("branch =~ /(?i)^FEAT/", "feat-1", true)]
    [InlineData("branch =~ /a.b/", "a\nb", false)]
    [InlineData("branch =~ /(?m:a.b)/", "a\nb", true)]
    [InlineData("branch =~ ^\\d+$", "12", true)]
    [InlineData("branch =~ ^\\d+$", "\u0661\u0662", false)]
    [InlineData("branch =~ ^\\w+$", "caf\u00e9", false)]
    [InlineData("branch =~ ^QA\\_\\d*$", "QA_12", true)]
    [InlineData("branch =~ ^a{,2}$", "aa", true)]
    [InlineData("branch =~ ^a{,2}$", "aaa", false)]
    [InlineData("branch =~ ^[[:digit:]]+$", "123", true)]
    [InlineData("branch =~ ^[[:alpha:]]+$", "abc1", false)]
    [InlineData("branch =~ ^\\x41$", "A", true)]
    [InlineData("branch =~ /^(?<major>\\d+)\\.\\k<major>$/", "3.3", true)]
    [InlineData("branch =~ /^(?-mix:v\\d)/", "v1", true)]
    [InlineData("branch =~ ^.*(?<!-built)$", "x-built", false)]
    [InlineData("branch =~ ^v?(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)$", "v1.20", true)]
    public void Ruby_syntax_is_translated(string text, string value, bool expected)
    {
        Assert.Equal(expected, Matches(text, value));
    }

    [Theory]
    [InlineData("commit_message =~ \"wip\"", "say \"wip\" now", true)]
    [InlineData("commit_message =~ \"wip\"", "wip", false)]
    [InlineData("branch =~ release/", "release-1", true)]
    public void Bare_patterns_are_taken_as_travis_takes_them(string text, string value, bool expected)
    {
        // TC regex.rb: quotes are part of a bare pattern; parser.rb drops one trailing / from it.
        var data = new ConditionData { Branch = value, CommitMessage = value };
        Assert.Equal(expected, ConditionEvaluationTests.Eval(text, data));
    }

    [Theory]
    [InlineData("branch =~ /a\\Kb/", "\\K is not supported")]
    [InlineData("branch !~ /a\\Kb/", "\\K is not supported")]
    [InlineData("branch =~ /a++/", "possessive quantifiers")]
    [InlineData("branch =~ /(?~abc)/", "absence operator")]
    [InlineData("branch =~ /[a-z&&[^aeiou]]/", "intersection")]
    [InlineData("branch =~ /[a[bc]]/", "nested character classes")]
    [InlineData("branch =~ /(?s)a/", "unknown group option")]
    [InlineData("branch =~ /a{2}?/", "{n}?")]
    [InlineData("branch =~ /\\u{1F600}/", "\\u{")]
    [InlineData("branch =~ /(/", "not a valid regular expression")]
    [InlineData("branch =~ /[a-/", "not closed")]
    [InlineData("branch =~ true", "the boolean true")]
    public void What_dotnet_cannot_match_the_same_way_is_a_problem(string text, string expected)
    {
        // Any problem makes the whole condition false, even under !~ (Travis's accept? is false on any error).
        var problem = Problem(text);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_literal_pattern_is_named_in_the_problem_but_a_computed_one_is_not()
    {
        Assert.Contains("/(/", Problem("branch =~ /(/"), StringComparison.Ordinal);

        var data = new ConditionData { Branch = "x", Env = new Dictionary<string, string> { ["RE"] = "(s3cr3t" } };
        var problem = Problem("branch =~ env(RE)", data);
        Assert.DoesNotContain("s3cr3t", problem, StringComparison.Ordinal);
        Assert.Contains("(env 'RE')", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_problem_repeats_on_every_evaluation()
    {
        var condition = TravisCondition.Parse("branch =~ /(/", out _)!;
        for (var i = 0; i < 3; i++)
        {
            Assert.False(condition.Evaluate(new ConditionData { Branch = "x" }, out var problem));
            Assert.NotNull(problem);
        }
    }

    [Fact]
    public void A_runaway_pattern_times_out_and_is_false()
    {
        var data = new ConditionData { CommitMessage = new string('a', 5000) + "!" };
        var started = System.Diagnostics.Stopwatch.StartNew();
        var problem = Problem("commit_message =~ /^(\\w+\\s?)*$/ OR commit_message =~ /^(a|aa)+$/", data);
        Assert.Contains("took longer than 100 ms", problem, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }
}
