using Porthole.Pipeline.Orbs;

namespace Porthole.Pipeline.Tests.Orbs;

/// <summary>Issue 12, bad input: "an orb file that is not YAML" is refused at its line and column, and so is one that is not a map.</summary>
public sealed class OrbSourceTextTests
{
    [Fact]
    public void A_map_is_an_orbs_source()
    {
        Assert.Null(OrbSourceText.Check("ns/orb@1.0.0", "version: 2.1\ncommands:\n  hi:\n    steps: [{run: echo hi}]\n"));
        Assert.Null(OrbSourceText.Check("ns/orb@1.0.0", "{\"version\": 2.1}"));
    }

    [Fact]
    public void Malformed_yaml_is_named_at_its_line_and_column()
    {
        var problem = OrbSourceText.Check("ns/orb@1.0.0", "version: 2.1\ncommands:\n  hi: [unclosed\n  bye: {}\n");

        Assert.NotNull(problem);
        Assert.Equal("ns/orb@1.0.0", problem.File);
        Assert.True(problem.Line >= 3, problem.ToString());
        Assert.Contains("malformed YAML", problem.Message, StringComparison.Ordinal);
        Assert.StartsWith($"ns/orb@1.0.0:{problem.Line}:{problem.Column}: ", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("- a\n- b\n", "a list")]
    [InlineData("just text\n", "a string")]
    [InlineData("", "nothing")]
    [InlineData("# only a comment\n", "nothing")]
    public void A_source_that_is_not_a_map_is_refused_saying_what_it_is(string text, string what)
    {
        var problem = OrbSourceText.Check("ns/orb@1.0.0", text);

        Assert.NotNull(problem);
        Assert.Equal((1, 1), (problem.Line, problem.Column));
        Assert.EndsWith($"not {what}", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_document_and_an_oversized_source_are_refused()
    {
        Assert.Contains("second", OrbSourceText.Check("ns/orb@1.0.0", "a: 1\n---\nb: 2\n")?.Message, StringComparison.Ordinal);
        Assert.Contains("1 MiB", OrbSourceText.Check("ns/orb@1.0.0", "a: " + new string('x', OrbSourceText.MaxBytes))?.Message, StringComparison.Ordinal);
    }
}
