using Porthole.Pipeline.Travis.Conditions;

namespace Porthole.Pipeline.Tests.Travis.Conditions;

/// <summary>Conditions that do not parse: a one-line message naming what is wrong, and the 0-based offset in the text.</summary>
public sealed class ConditionErrorTests
{
    private static ConditionSyntaxError Refused(string text)
    {
        var condition = TravisCondition.Parse(text, out var error);
        Assert.True(condition is null, $"'{text}' parsed as {condition}");
        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error.Message);
        Assert.EndsWith($"(offset {error.Offset})", error.Message, StringComparison.Ordinal);
        return error;
    }

    [Theory]
    [InlineData("branch IN ()", 11, "IN needs at least one value")]
    [InlineData("branch IN ( )", 12, "IN needs at least one value")]
    [InlineData("type IN push", 8, "expected ( and a list of values after IN")]
    [InlineData("type IN", 7, "expected ( and a list of values after IN")]
    [InlineData("type IN (push pull_request)", 14, "expected ) to close the ( at offset 8, found 'pull_request)'")]
    [InlineData("branch = master AND", 19, "expected a value, a variable or env(…)")]
    [InlineData("AND repo = x", 4, "unexpected 'repo = x'")]
    [InlineData("", 0, "expected a value, a variable or env(…)")]
    [InlineData("branch =", 8, "expected a value, a variable or env(…) after =")]
    [InlineData("tag =! ^v", 5, "expected a value, a variable or env(…) after =")]
    [InlineData("(branch = master", 16, "expected ) to close the ( at offset 0, found the end")]
    [InlineData("((a) AND (b)", 12, "expected ) to close the ( at offset 0, found the end")]
    [InlineData("branch IS master", 10, "expected present, blank, true or false after IS")]
    [InlineData("tag IS NOT", 10, "expected present, blank, true or false after IS")]
    [InlineData("tag IS presents", 7, "expected present, blank, true or false after IS")]
    [InlineData("branch = \"master", 9, "the \" quote is not closed")]
    [InlineData("x IN ('a', 'b)", 11, "the ' quote is not closed")]
    [InlineData("branch =~ /foo", 10, "the regular expression started with / is not closed")]
    [InlineData("branch =~", 9, "expected a regular expression")]
    [InlineData("(branch =~ )", 11, "expected a regular expression")]
    [InlineData("type NOT pull_request", 5, "unexpected 'NOT pull_request'")]
    [InlineData("branch = master OR type pull_request", 24, "unexpected 'pull_request'")]
    [InlineData("branch = ^(master)$", 10, "unexpected '(master)$'")]
    [InlineData("branch =~ (^release.*)|(^master)", 31, "unexpected ')'")]
    [InlineData("env.global(TAG) = x", 10, "unexpected '(TAG) = x'")]
    [InlineData("branch = master, develop", 15, "unexpected ', develop'")]
    [InlineData("type = (api OR push)", 7, "expected a value, a variable or env(…) after =")]
    public void Errors_say_what_is_wrong_and_where(string text, int offset, string message)
    {
        var error = Refused(text);
        Assert.Equal(offset, error.Offset);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("$TRAVIS_BRANCH = master", 0, "env(TRAVIS_BRANCH)")]
    [InlineData("branch = master AND $TRAVIS_PULL_REQUEST == false", 20, "env(TRAVIS_PULL_REQUEST)")]
    [InlineData("branch != ${COVERITY_BRANCH}", 10, "env(COVERITY_BRANCH)")]
    [InlineData("env($TAG) = x", 4, "env(TAG)")]
    [InlineData("x IN (a, $B)", 9, "env(B)")]
    [InlineData("tag =~ ^v AND $(git log) = x", 14, "quote the string")]
    public void A_word_starting_with_a_dollar_is_shell_code_and_refused(string text, int offset, string hint)
    {
        // §B11: an unquoted word or variable starting with $ is a parse error ("shell code does not work").
        var error = Refused(text);
        Assert.Equal(offset, error.Offset);
        Assert.Contains("shell code does not work", error.Message, StringComparison.Ordinal);
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quoted_dollar_string_is_fine()
    {
        Assert.NotNull(TravisCondition.Parse("env(X) = '$HOME'", out _));
    }

    [Fact]
    public void Offsets_are_in_the_original_text_after_line_continuations()
    {
        var text = "branch = master AND \\\n    $TAG = x";
        var error = Refused(text);
        Assert.Equal(text.IndexOf('$', StringComparison.Ordinal), error.Offset);

        var unclosed = "(a AND \\\n b";
        Assert.Equal(unclosed.Length, Refused(unclosed).Offset);
    }

    [Fact]
    public void Nesting_is_bounded_at_100_levels()
    {
        Assert.NotNull(TravisCondition.Parse(new string('(', 100) + "a" + new string(')', 100), out _));
        Assert.Equal(100, Refused(new string('(', 101) + "a" + new string(')', 101)).Offset);

        Assert.NotNull(TravisCondition.Parse(string.Concat(Enumerable.Repeat("NOT ", 100)) + "a", out _));
        Assert.Equal(400, Refused(string.Concat(Enumerable.Repeat("NOT ", 101)) + "a").Offset);

        Assert.Equal(400, Refused(string.Concat(Enumerable.Repeat("env(", 101)) + "a" + new string(')', 101)).Offset);
        Assert.Contains("deeper than 100 levels", Refused(new string('(', 5000)).Message, StringComparison.Ordinal);
        Assert.Contains("deeper than 100 levels", Refused(string.Concat(Enumerable.Repeat("!", 5000)) + "a").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_is_bounded_at_10_KB()
    {
        var longest = "a = " + new string('b', ConditionParser.MaxLength - 4);
        Assert.NotNull(TravisCondition.Parse(longest, out _));

        var error = Refused(longest + "b");
        Assert.Equal(ConditionParser.MaxLength, error.Offset);
        Assert.Contains("longer than 10240 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_terms_within_the_bound_parse_and_evaluate_without_deep_recursion()
    {
        var text = string.Join(" AND ", Enumerable.Repeat("x", 1500));
        var condition = TravisCondition.Parse(text, out var error);
        Assert.True(condition is not null, error?.Message);
        Assert.True(condition.Evaluate(new ConditionData(), out _));
    }
}
