using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.Travis;

/// <summary><c>git:</c> settings (dialects.md §B12): Travis's defaults (depth 50, submodules), the settings, and what is refused.</summary>
public sealed class TravisGitTests
{
    private static StepPlan CheckoutOf(params string[] lines) =>
        Assert.Single(Planned(ReadTravis(["language: shell", "script: echo", .. lines])).Workflows).Jobs[0].Steps[0];

    [Fact]
    public void Without_git_settings_a_job_clones_fifty_commits_with_its_submodules()
    {
        var checkout = CheckoutOf();

        Assert.Equal(StepKind.Checkout, checkout.Kind);
        Assert.Equal(new CheckoutPlan(50, Submodules: true, Quiet: false), checkout.Checkout);
    }

    [Fact]
    public void Depth_submodules_and_quiet_are_read_and_depth_false_is_the_whole_history()
    {
        Assert.Equal(new CheckoutPlan(3, Submodules: false, Quiet: true), CheckoutOf("git:", "  depth: 3", "  submodules: false", "  quiet: true").Checkout);
        Assert.Equal(new CheckoutPlan(null, Submodules: true, Quiet: false), CheckoutOf("git:", "  depth: false").Checkout);
    }

    [Fact]
    public void Clone_false_makes_a_job_without_a_checkout()
    {
        var job = Assert.Single(Planned(ReadTravis("language: shell", "script: echo", "git:", "  clone: false")).Workflows).Jobs[0];

        Assert.DoesNotContain(job.Steps, step => step.Kind == StepKind.Checkout);
    }

    [Fact]
    public void Settings_Porthole_does_not_apply_are_refused_by_name_and_a_bad_depth_is_an_error()
    {
        OnlyError(ReadTravis("language: shell", "script: echo", "git:", "  sparse_checkout: skip-worktree-map"), 4, 3, "git.sparse_checkout is not supported", "git.sparse_checkout");
        OnlyError(ReadTravis("language: shell", "script: echo", "git:", "  depth: lots"), 4, 10, "git.depth must be a number of commits (1 or more), or false for the whole history");
    }
}
