using Porthole.Contracts.Runners;
using Porthole.Ssh.Endpoints;
using Porthole.Ssh.Recording;

namespace Porthole.Ssh.Tests.Recording;

/// <summary>A recording's stream is masked as the log is, across its events (R-BEY-2).</summary>
public sealed class StreamMaskTests
{
    private static readonly SecretPatterns Secrets = SecretPatterns.Of(
    [
        new ProjectVariable("A", "abcdef", Secret: true),
        new ProjectVariable("B", "defghi", Secret: true),
    ]);

    [Theory]
    [InlineData(new[] { "x abcdef y" }, new[] { "x ******** y" })]
    [InlineData(new[] { "x abc", "def y" }, new[] { "x ********", " y" })]
    [InlineData(new[] { "a", "b", "c", "d", "e", "f" }, new[] { "********", "", "", "", "", "" })]
    [InlineData(new[] { "x ab", "cdefg", "hi!" }, new[] { "x ********", "", "!" })]
    [InlineData(new[] { "abc", "xyz" }, new[] { "abc", "xyz" })]
    public void Secrets_cut_between_events_go_whole_into_the_first_and_are_masked(string[] events, string[] expected)
    {
        Assert.Equal(expected, StreamMask.Apply(events, Secrets));
    }

    [Fact]
    public void Without_secrets_the_events_stay_as_they_are()
    {
        Assert.Equal(["abc", "def"], StreamMask.Apply(["abc", "def"], SecretPatterns.None));
    }
}
