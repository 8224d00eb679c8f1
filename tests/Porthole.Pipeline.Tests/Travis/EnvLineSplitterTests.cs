using Porthole.Pipeline.Travis;

namespace Porthole.Pipeline.Tests.Travis;

public sealed class EnvLineSplitterTests
{
    private static IReadOnlyList<EnvWord> Split(string line)
    {
        var words = EnvLineSplitter.Split(line, out var error);
        Assert.True(words is not null, error);
        return words;
    }

    [Fact]
    public void Splits_at_unquoted_whitespace_and_removes_quotes()
    {
        Assert.Equal(
            [
                new EnvWord("A", "1", "A=1"),
                new EnvWord("B", "two words", "B=\"two words\""),
                new EnvWord("C", "$HOME", "C=$HOME"),
                new EnvWord("D", "it's", "D='it'\\''s'"),
            ],
            Split("A=1   B=\"two words\"\tC=$HOME D='it'\\''s'"));
    }

    [Fact]
    public void Keeps_command_substitutions_whole()
    {
        Assert.Equal(
            [new EnvWord("NOW", "$(date +%s -d \"1 day\")", "NOW=$(date +%s -d \"1 day\")"), new EnvWord("X", "`uname -a`", "X=`uname -a`")],
            Split("NOW=$(date +%s -d \"1 day\") X=`uname -a`"));
    }

    [Fact]
    public void Double_quotes_keep_expansions_and_unescape_quotes()
    {
        Assert.Equal([new EnvWord("M", "a \"b\" ${C}", "M=\"a \\\"b\\\" ${C}\"")], Split("M=\"a \\\"b\\\" ${C}\""));
    }

    [Fact]
    public void A_bare_name_is_dropped_as_travis_drops_it()
    {
        Assert.Equal([new EnvWord("DB", "sqlite", "DB=sqlite")], Split("DB=sqlite COVERAGE"));
    }

    [Theory]
    [InlineData("A=\"x", "a \" quote is not closed")]
    [InlineData("A='x", "a ' quote is not closed")]
    [InlineData("A=$(x", "a $( is not closed")]
    [InlineData("-x", "'-x' is not NAME=value")]
    public void Broken_words_are_errors(string line, string expected)
    {
        Assert.Null(EnvLineSplitter.Split(line, out var error));
        Assert.Equal(expected, error);
    }
}
