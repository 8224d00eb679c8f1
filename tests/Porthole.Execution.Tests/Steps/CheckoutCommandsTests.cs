using Porthole.Contracts.Plans;
using Porthole.Execution.Steps;

namespace Porthole.Execution.Tests.Steps;

/// <summary>The checkout's git commands with Travis's <c>git:</c> settings (dialects.md §B12; TB git/clone.rb, git/submodules.rb).</summary>
public sealed class CheckoutCommandsTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";

    [Fact]
    public void Without_settings_the_clone_is_full_as_before()
    {
        var commands = CheckoutCommands.For("https://example.com/r.git", Sha, "main", ConfigDialect.CircleCi, alreadyCloned: false);

        Assert.Equal(["git", "clone", "--no-checkout", "--", "https://example.com/r.git", "."], commands[0]);
        Assert.Equal(3, commands.Count);
    }

    [Fact]
    public void A_depth_clones_that_many_commits_of_the_branch_and_submodules_are_updated_when_there_are_some()
    {
        var commands = CheckoutCommands.For("https://example.com/r.git", Sha, "main", ConfigDialect.Travis, alreadyCloned: false, new CheckoutPlan(50, Submodules: true, Quiet: false));

        Assert.Equal(["git", "clone", "--depth=50", "--branch=main", "--no-checkout", "--", "https://example.com/r.git", "."], commands[0]);
        Assert.Equal(["git", "-c", "advice.detachedHead=false", "checkout", "--force", "--detach", Sha], commands[1]);
        Assert.Equal(["git", "branch", "--force", "main", "HEAD"], commands[2]);
        Assert.Equal("/bin/sh", commands[3][0]);
        Assert.Contains("if [ -f .gitmodules ]; then exec git submodule update --init --recursive", commands[3][2], StringComparison.Ordinal);
    }

    [Fact]
    public void Quiet_silences_the_clone_and_the_checkout_and_no_submodules_adds_nothing()
    {
        var commands = CheckoutCommands.For("https://example.com/r.git", Sha, null, ConfigDialect.Travis, alreadyCloned: false, new CheckoutPlan(null, Submodules: false, Quiet: true));

        Assert.Equal(["git", "clone", "--quiet", "--no-checkout", "--", "https://example.com/r.git", "."], commands[0]);
        Assert.Equal(["git", "-c", "advice.detachedHead=false", "checkout", "--quiet", "--force", "--detach", Sha], commands[1]);
        Assert.Equal(2, commands.Count);
    }
}
