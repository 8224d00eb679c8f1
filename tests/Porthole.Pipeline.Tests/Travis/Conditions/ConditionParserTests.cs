using Porthole.Pipeline.Travis.Conditions;

namespace Porthole.Pipeline.Tests.Travis.Conditions;

/// <summary>The shape of parsed conditions (§B11 grammar), shown as S-expressions by <see cref="TravisCondition.ToString"/>.</summary>
public sealed class ConditionParserTests
{
    private static string Tree(string text)
    {
        var condition = TravisCondition.Parse(text, out var error);
        Assert.True(condition is not null, error?.Message);
        Assert.Equal(text, condition.Text);
        return condition.ToString();
    }

    [Theory]
    [InlineData("a OR b AND c", "(or 'a' (and 'b' 'c'))")]
    [InlineData("a AND b OR c", "(or (and 'a' 'b') 'c')")]
    [InlineData("a OR b OR c", "(or 'a' 'b' 'c')")]
    [InlineData("NOT a AND b", "(and (not 'a') 'b')")]
    [InlineData("a AND NOT b OR NOT c", "(or (and 'a' (not 'b')) (not 'c'))")]
    [InlineData("(a OR b) AND c", "(and (or 'a' 'b') 'c')")]
    [InlineData("NOT (a AND b)", "(not (and 'a' 'b'))")]
    [InlineData("NOT NOT a", "(not (not 'a'))")]
    [InlineData("NOT(a)", "(not 'a')")]
    public void Not_binds_tighter_than_and_which_binds_tighter_than_or(string text, string tree)
    {
        Assert.Equal(tree, Tree(text));
    }

    [Theory]
    [InlineData("!a && b || c", "(or (and (not 'a') 'b') 'c')")]
    [InlineData("! (a) && !b", "(and (not 'a') (not 'b'))")]
    [InlineData("a and b Or not c", "(or (and 'a' 'b') (not 'c'))")]
    [InlineData("(a)AND(b)", "(and 'a' 'b')")]
    public void Aliases_and_keywords_in_any_case(string text, string tree)
    {
        Assert.Equal(tree, Tree(text));
    }

    [Fact]
    public void Not_takes_a_whole_comparison_as_its_operand()
    {
        Assert.Equal("(and (not (eq branch 'master')) (is tag present))", Tree("NOT branch = master AND tag IS present"));
        Assert.Equal("(not (in branch ('a' 'b')))", Tree("NOT branch IN (a, b)"));
    }

    [Theory]
    [InlineData("branch = master", "(eq branch 'master')")]
    [InlineData("branch == master", "(eq branch 'master')")]
    [InlineData("branch != master", "(not_eq branch 'master')")]
    [InlineData("branch=master", "(eq branch 'master')")]
    [InlineData("type IN (push, api)", "(in type ('push' 'api'))")]
    [InlineData("type in(push,api,)", "(in type ('push' 'api'))")]
    [InlineData("type NOT IN (cron)", "(not_in type ('cron'))")]
    [InlineData("tag IS present", "(is tag present)")]
    [InlineData("tag is NOT Blank", "(is_not tag blank)")]
    [InlineData("fork IS true", "(is fork true)")]
    [InlineData("fork IS FALSE", "(is fork false)")]
    [InlineData("tag =~ ^v1", "(match tag /^v1/)")]
    [InlineData("tag ~= ^v1", "(match tag /^v1/)")]
    [InlineData("tag !~ ^v1", "(not_match tag /^v1/)")]
    [InlineData("fork", "fork")]
    [InlineData("\"foo\" = type", "(eq 'foo' type)")]
    public void Each_operator(string text, string tree)
    {
        Assert.Equal(tree, Tree(text));
    }

    [Theory]
    [InlineData("sender != \"deploy bot\"", "(not_eq sender 'deploy bot')")]
    [InlineData("sender != 'deploy bot'", "(not_eq sender 'deploy bot')")]
    [InlineData("x = \"it's\"", "(eq 'x' 'it's')")]
    [InlineData("x = '\"q\"'", "(eq 'x' '\"q\"')")]
    [InlineData("x = \"$HOME\"", "(eq 'x' '$HOME')")]
    [InlineData("x = \"a AND b\"", "(eq 'x' 'a AND b')")]
    public void Quotes_keep_everything_up_to_the_same_quote(string text, string tree)
    {
        Assert.Equal(tree, Tree(text));
    }

    [Fact]
    public void Quotes_have_no_escapes()
    {
        // TC helper.rb `quoted`: everything up to the next same quote; a backslash is an ordinary character.
        Assert.Equal("(or (eq 'x' 'a\\') 'y')", Tree("x = \"a\\\" OR y"));
    }

    [Theory]
    [InlineData("sender = sender-foo", "(eq sender 'sender-foo')")]
    [InlineData("language = typescript", "(eq language 'typescript')")]
    [InlineData("os = osx", "(eq os 'osx')")]
    [InlineData("tags = x", "(eq 'tags' 'x')")]
    [InlineData("branch = feature/a.b-c_d:e", "(eq branch 'feature/a.b-c_d:e')")]
    [InlineData("after_success:", "'after_success:'")]
    [InlineData("environment = production", "(eq 'environment' 'production')")]
    [InlineData("nothing", "'nothing'")]
    [InlineData("index IN (a)", "(in 'index' ('a'))")]
    public void Unknown_words_are_literal_strings(string text, string tree)
    {
        Assert.Equal(tree, Tree(text));
    }

    [Theory]
    [InlineData("BRANCH = master", "(eq 'BRANCH' 'master')")]
    [InlineData("Branch = master", "(eq 'Branch' 'master')")]
    [InlineData("Tag IS present", "(is 'Tag' present)")]
    public void Variable_names_are_lowercase_only(string text, string tree)
    {
        // §B11: the v1 VAR regex has no /i, so BRANCH is the string "BRANCH".
        Assert.Equal(tree, Tree(text));
    }

    [Theory]
    [InlineData("branch!=master", "(not_eq 'branch' 'master')")]
    [InlineData("branch,", "unparsed")]
    [InlineData("(branch)", "branch")]
    [InlineData("branch|x", "unparsed")]
    public void A_variable_needs_a_boundary_after_its_name(string text, string tree)
    {
        // §B11: a variable must be followed by whitespace , = ) | or the end; `branch!=` is the word "branch".
        var condition = TravisCondition.Parse(text, out _);
        Assert.Equal(tree, condition?.ToString() ?? "unparsed");
    }

    [Theory]
    [InlineData("env(FOO)", "(env 'FOO')")]
    [InlineData("ENV(foo) = bar", "(eq (env 'foo') 'bar')")]
    [InlineData("env (FOO)", "(env 'FOO')")]
    [InlineData("env()", "(env)")]
    [InlineData("env(env(env(FOO)))", "(env (env (env 'FOO')))")]
    [InlineData("env(\"FOO\") = 'x y'", "(eq (env 'FOO') 'x y')")]
    [InlineData("concat(a, env(B), branch) = x", "(eq (concat 'a' (env 'B') branch) 'x')")]
    [InlineData("Concat()", "(concat)")]
    [InlineData("repo IN (env(ONE), env(OTHER))", "(in repo ((env 'ONE') (env 'OTHER')))")]
    [InlineData("env(FOO) = type", "(eq (env 'FOO') type)")]
    [InlineData("env(FOO, BAR)", "(env 'FOO' 'BAR')")]
    public void Calls_nest_and_appear_wherever_a_value_does(string text, string tree)
    {
        Assert.Equal(tree, Tree(text));
    }

    [Theory]
    [InlineData("branch =~ /^.* foo$/", "(match branch /^.* foo$/)")]
    [InlineData("branch =~ /^(develop|release\\/.*)$/", "(match branch /^(develop|release\\/.*)$/)")]
    [InlineData("branch =~ /foo/ OR (tag =~ /^foo$/)", "(or (match branch /foo/) (match tag /^foo$/))")]
    [InlineData("(branch =~ ^(a|b)$)", "(match branch /^(a|b)$/)")]
    [InlineData("(tag =~ ^v) AND (branch = master)", "(and (match tag /^v/) (eq branch 'master'))")]
    [InlineData("branch =~ ^master|develop$ OR tag IS present", "(or (match branch /^master|develop$/) (is tag present))")]
    [InlineData("tag =~ env(SEMVER)", "(match tag (env 'SEMVER'))")]
    [InlineData("tag =~ concat(^, env(P))", "(match tag (concat '^' (env 'P')))")]
    [InlineData("commit_message =~ \"wip\"", "(match commit_message /\"wip\"/)")]
    [InlineData("branch =~ release/", "(match branch /release/)")]
    [InlineData("branch =~ //", "(match branch //)")]
    public void Regexes_are_slashed_bare_words_or_calls(string text, string tree)
    {
        // TC regex.rb: a bare word runs to whitespace and cannot end in ')'; quotes are part of it; one trailing / is dropped.
        Assert.Equal(tree, Tree(text));
    }

    [Theory]
    [InlineData("branch = master AND \\\n  tag IS present")]
    [InlineData("branch = master AND\\\ntag IS present")]
    [InlineData("branch = master AND \\ \t\r\n tag IS present")]
    [InlineData("\\\nbranch = master AND tag IS present\\\n")]
    [InlineData("branch = master\nAND tag IS present")]
    public void A_backslash_at_a_line_end_continues_the_line(string text)
    {
        Assert.Equal("(and (eq branch 'master') (is tag present))", Tree(text));
    }
}
