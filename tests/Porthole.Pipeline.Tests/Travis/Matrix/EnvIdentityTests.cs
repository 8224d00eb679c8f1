using Porthole.Pipeline.Travis.Matrix;

namespace Porthole.Pipeline.Tests.Travis.Matrix;

/// <summary>
/// When two env entries are one to exclude, allow_failures and duplicate jobs (§B9 step 7): travis-yml reads a string
/// into a hash with the sh_vars gem (quotes kept in values, a bare word is a name with an empty value) and compares hashes.
/// </summary>
public sealed class EnvIdentityTests
{
    [Theory]
    [InlineData("A=1 B=2", "B=2   A=1")]
    [InlineData("A=1", "\"A=1\"")]
    [InlineData("A=1 A=2", "A=2")]
    [InlineData("X=$(echo a b) Y=`c d`", "Y=`c d` X=$(echo a b)")]
    [InlineData("DB=sqlite COVERAGE", "COVERAGE= DB=sqlite")]
    public void Entries_with_the_same_variables_are_one(string left, string right)
    {
        Assert.Equal(EnvIdentity.OfText(left), EnvIdentity.OfText(right));
    }

    [Theory]
    [InlineData("DB=mongodb", "DB=mongodb SUITE=all")]
    [InlineData("A=\"x\"", "A=x")]
    [InlineData("DB=sqlite COVERAGE", "DB=sqlite DEV_DEPENDENCIES")]
    [InlineData("A='x y'", "A=x")]
    public void Entries_with_other_variables_or_values_differ(string left, string right)
    {
        Assert.NotEqual(EnvIdentity.OfText(left), EnvIdentity.OfText(right));
    }

    [Fact]
    public void A_map_entry_is_the_same_as_the_string_of_its_variables()
    {
        Assert.Equal(EnvIdentity.OfText("B=2 A=1"), EnvIdentity.OfPairs([new("A", "1"), new("B", "2")]));
    }

    [Theory]
    [InlineData("A=\"open")]
    [InlineData("A='open")]
    [InlineData("A=$(open")]
    [InlineData("=A")]
    public void An_entry_that_does_not_split_is_compared_as_written(string text)
    {
        Assert.Equal("raw:" + text, EnvIdentity.OfText(text));
        Assert.NotEqual(EnvIdentity.OfText(text), EnvIdentity.OfText(text + " B=1"));
    }

    [Fact]
    public void Deeply_nested_substitutions_do_not_exhaust_the_stack()
    {
        var text = "A=" + string.Concat(Enumerable.Repeat("$(", 100_000)) + string.Concat(Enumerable.Repeat(")", 100_000));

        Assert.StartsWith("raw:", EnvIdentity.OfText(text), StringComparison.Ordinal);
    }
}
