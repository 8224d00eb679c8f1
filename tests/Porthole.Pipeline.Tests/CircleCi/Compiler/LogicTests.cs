using System.Diagnostics;
using Porthole.Pipeline.CircleCi.Compiler;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary>Logic statements and truthiness (dialects.md §A3), evaluated on YAML as the compiler hands it over.</summary>
public sealed class LogicTests
{
    [Theory]
    [InlineData("x: false", false)]
    [InlineData("x: False", false)]
    [InlineData("x: FALSE", false)]
    [InlineData("x: no", false)]
    [InlineData("x: Off", false)]
    [InlineData("x: ~", false)]
    [InlineData("x: null", false)]
    [InlineData("x:", false)]
    [InlineData("x: 0", false)]
    [InlineData("x: 0.0", false)]
    [InlineData("x: -0", false)]
    [InlineData("x: 0x0", false)]
    [InlineData("x: .nan", false)]
    [InlineData("x: NaN", false)]
    [InlineData("x: ''", false)]
    [InlineData("x: \"\"", false)]
    [InlineData("x: []", false)]
    [InlineData("x: {}", false)]
    [InlineData("x: true", true)]
    [InlineData("x: yes", true)]
    [InlineData("x: 1", true)]
    [InlineData("x: 0.5", true)]
    [InlineData("x: -1", true)]
    [InlineData("x: main", true)]
    [InlineData("x: \"false\"", true)]
    [InlineData("x: '0'", true)]
    [InlineData("x: \"null\"", true)]
    [InlineData("x: [false]", true)]
    [InlineData("x: {a: b}", true)]
    public void Truthiness_follows_the_falsy_list_of_A3(string yaml, bool truthy)
    {
        var value = ((MapNode)Load(yaml)).Get("x");

        Assert.Equal(truthy, Truthiness.IsTruthy(value));
    }

    [Fact]
    public void A_missing_value_is_falsy()
    {
        Assert.False(Truthiness.IsTruthy(null));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("0", false)]
    [InlineData("feature-x", true)]
    [InlineData("\"\"", false)]
    [InlineData("{and: [true, 1, yes]}", true)]
    [InlineData("{and: [true, 0]}", false)]
    [InlineData("{or: [false, 0, x]}", true)]
    [InlineData("{or: [false, 0, ~]}", false)]
    [InlineData("{not: false}", true)]
    [InlineData("{not: main}", false)]
    [InlineData("{not: {and: [true, false]}}", true)]
    [InlineData("{or: [{equal: [a, b]}, {and: [{not: false}, {equal: [main, main]}]}]}", true)]
    public void Each_operator_and_their_nesting_evaluate_as_A3_says(string statement, bool expected)
    {
        var (value, errors) = Evaluate(statement);

        Assert.Empty(errors.ToList());
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("{equal: [true, True, yes, on]}", true)]
    [InlineData("{equal: [false, \"false\"]}", true)]
    [InlineData("{equal: [3, 3, \"3\"]}", true)]
    [InlineData("{equal: [3, 4]}", false)]
    [InlineData("{equal: [main, main]}", true)]
    [InlineData("{equal: [main, Main]}", false)]
    [InlineData("{equal: [~, null]}", true)]
    [InlineData("{equal: [~, \"\"]}", false)]
    [InlineData("{equal: [[a, 1], [a, 1]]}", true)]
    [InlineData("{equal: [[a, 1], [1, a]]}", false)]
    [InlineData("{equal: [{a: 1, b: 2}, {b: 2, a: 1}]}", true)]
    [InlineData("{equal: [{a: 1}, [a]]}", false)]
    [InlineData("{equal: [lonely]}", true)]
    public void Equal_compares_text_with_booleans_normalised_and_collections_by_structure(string statement, bool expected)
    {
        var (value, errors) = Evaluate(statement);

        Assert.Empty(errors.ToList());
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("{matches: {pattern: '^feature-.+$', value: feature-login}}", true)]
    [InlineData("{matches: {pattern: 'feature-.+', value: feature-login}}", true)]
    [InlineData("{matches: {pattern: feature, value: feature-login}}", false)]
    [InlineData("{matches: {pattern: login, value: feature-login}}", false)]
    [InlineData("{matches: {pattern: 'a|b', value: ab}}", false)]
    [InlineData("{matches: {pattern: 'a|b', value: b}}", true)]
    [InlineData("{matches: {pattern: '.*', value: ~}}", true)]
    [InlineData("{matches: {pattern: 'x', value: \"x\\n\"}}", false)]
    public void Matches_is_a_full_match_never_a_prefix_or_a_part(string statement, bool expected)
    {
        var (value, errors) = Evaluate(statement);

        Assert.Empty(errors.ToList());
        Assert.Equal(expected, value);
    }

    [Fact]
    public void A_misspelt_operator_is_an_error_naming_it_though_CircleCI_reads_it_as_a_truthy_map()
    {
        var (value, errors) = Evaluate("statement:\n  equals: [a, a]");

        Assert.False(value);
        var error = Assert.Single(errors.ToList());
        Assert.Equal((2, 3), (error.Line, error.Column));
        Assert.Equal("unknown logic operator 'equals'; use and, or, not, equal or matches", error.Message);
    }

    [Theory]
    [InlineData("{and: []}", "and takes a non-empty list")]
    [InlineData("{or: []}", "or takes a non-empty list")]
    [InlineData("{equal: []}", "equal takes a non-empty list")]
    [InlineData("{and: true}", "and takes a list, found a string")]
    [InlineData("{not: [true]}", "not takes one logic statement, found a list")]
    [InlineData("{and: [true], or: [true]}", "a logic statement is a map with one operator; this one has 2: and, or")]
    [InlineData("{}", "found an empty map")]
    [InlineData("[true]", "found a list")]
    [InlineData("{matches: {pattern: x}}", "matches needs a value")]
    [InlineData("{matches: {value: x}}", "matches needs a pattern")]
    [InlineData("{matches: {pattern: x, value: x, flags: i}}", "unknown key 'flags' in matches")]
    [InlineData("{matches: [x]}", "matches must be a map with pattern and value")]
    [InlineData("{matches: {pattern: '(', value: x}}", "is not a valid regular expression: insufficient closing parentheses")]
    [InlineData("{matches: {pattern: 'a)|(b', value: a}}", "is not a valid regular expression")]
    public void A_malformed_statement_is_an_error_and_false(string statement, string message)
    {
        var (value, errors) = Evaluate(statement);

        Assert.False(value);
        Assert.Contains(errors.ToList(), error => error.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void An_error_deep_in_an_or_makes_the_whole_statement_false_even_when_another_operand_is_true()
    {
        var (value, errors) = Evaluate("{or: [true, {and: []}]}");

        Assert.False(value);
        Assert.Single(errors.ToList());
    }

    [Fact]
    public void Every_bad_operand_is_reported_not_only_the_first()
    {
        var (_, errors) = Evaluate("{and: [{equals: [1]}, {or: []}, {nott: x}]}");

        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Nesting_up_to_100_levels_is_allowed_and_deeper_is_an_error()
    {
        // n nots around a value put the value on level n + 1.
        var (value, errors) = Evaluate(Nots(99));
        Assert.Empty(errors.ToList());
        Assert.False(value);

        (value, errors) = Evaluate(Nots(100));
        Assert.False(value);
        Assert.Equal("the logic statement nests deeper than 100 levels", Assert.Single(errors.ToList()).Message);

        static string Nots(int count) => string.Concat(Enumerable.Repeat("{not: ", count)) + "true" + new string('}', count);
    }

    [Fact]
    public void A_catastrophic_pattern_times_out_as_an_error_instead_of_holding_the_compiler()
    {
        var value = new string('a', 40) + "!";
        var stopwatch = Stopwatch.StartNew();

        var (result, errors) = Evaluate($"{{matches: {{pattern: '(a+)+', value: '{value}'}}}}");

        Assert.False(result);
        Assert.Contains("took longer than 100 ms", Assert.Single(errors.ToList()).Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    private static (bool Value, ErrorList Errors) Evaluate(string yaml)
    {
        var root = Load(yaml);
        var statement = root is MapNode { Entries: [{ Name: "statement" } only] } ? only.Value : root;
        var errors = new ErrorList("config.yml");
        return (Logic.Evaluate(statement, errors), errors);
    }

    private static Node Load(string yaml)
    {
        var errors = new ErrorList("config.yml");
        var node = YamlLoader.Load(yaml, errors);
        Assert.Empty(errors.ToList());
        return Assert.IsAssignableFrom<Node>(node);
    }
}
