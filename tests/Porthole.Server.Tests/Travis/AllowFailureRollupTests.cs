using Porthole.Contracts.Api;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// How Travis's allow_failures and fast_finish add up (dialects.md §B9): a job allowed to fail never fails its build;
/// with fast_finish the result is decided once the jobs not allowed to fail are done, while the others still run.
/// </summary>
public sealed class AllowFailureRollupTests
{
    private static JobOutcome Counted(string status) => new(status, AllowFailure: false);

    private static JobOutcome Allowed(string status) => new(status, AllowFailure: true);

    [Fact]
    public void A_failure_allowed_does_not_fail_the_workflow()
    {
        Assert.Equal(Status.Success, StatusRollup.OfJobs([Counted(Status.Success), Allowed(Status.Failed)], fastFinish: false));
        Assert.Equal(Status.Failed, StatusRollup.OfJobs([Counted(Status.Failed), Allowed(Status.Success)], fastFinish: false));
    }

    [Fact]
    public void Without_fast_finish_the_workflow_waits_for_the_jobs_allowed_to_fail()
    {
        Assert.Equal(Status.Running, StatusRollup.OfJobs([Counted(Status.Success), Allowed(Status.Running)], fastFinish: false));
        Assert.Equal(Status.Running, StatusRollup.OfJobs([Counted(Status.Running), Allowed(Status.Failed)], fastFinish: false));
    }

    [Fact]
    public void With_fast_finish_the_result_comes_when_the_counted_jobs_are_done()
    {
        Assert.Equal(Status.Success, StatusRollup.OfJobs([Counted(Status.Success), Allowed(Status.Running)], fastFinish: true));
        Assert.Equal(Status.Failed, StatusRollup.OfJobs([Counted(Status.Failed), Counted(Status.Success), Allowed(Status.Queued)], fastFinish: true));
        Assert.Equal(Status.Running, StatusRollup.OfJobs([Counted(Status.Running), Allowed(Status.Success)], fastFinish: true));
    }

    [Fact]
    public void Without_jobs_allowed_to_fail_it_adds_up_as_before()
    {
        Assert.Equal(Status.Failed, StatusRollup.OfJobs([Counted(Status.Success), Counted(Status.Failed)], fastFinish: true));
        Assert.Equal(Status.Running, StatusRollup.OfJobs([Counted(Status.Success), Counted(Status.Running)], fastFinish: true));
    }
}
