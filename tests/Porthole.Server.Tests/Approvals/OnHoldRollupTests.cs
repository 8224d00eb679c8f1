using Porthole.Contracts.Api;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Tests.Approvals;

/// <summary>How <c>on_hold</c> adds up: a workflow (or pipeline) is on hold when what is left waits for a person.</summary>
public sealed class OnHoldRollupTests
{
    [Theory]
    [InlineData(Status.OnHold, Status.Success, Status.OnHold, Status.Blocked)]
    [InlineData(Status.OnHold, Status.OnHold)]
    [InlineData(Status.OnHold, Status.Failed, Status.OnHold)]
    [InlineData(Status.Running, Status.Running, Status.OnHold, Status.Blocked)]
    [InlineData(Status.Running, Status.Queued, Status.OnHold)]
    [InlineData(Status.Running, Status.Success, Status.Blocked)]
    [InlineData(Status.Queued, Status.Queued, Status.Blocked)]
    [InlineData(Status.Success, Status.Success, Status.Success)]
    [InlineData(Status.Canceled, Status.Success, Status.Canceled, Status.NotRun)]
    public void A_workflow_is_on_hold_only_while_nothing_queued_or_running_is_left(string expected, params string[] jobs) =>
        Assert.Equal(expected, StatusRollup.OfJobs(jobs));

    [Fact]
    public void On_hold_is_not_finished()
    {
        Assert.False(Status.IsFinished(Status.OnHold));
        Assert.Equal("on_hold", Status.OnHold);
    }
}
