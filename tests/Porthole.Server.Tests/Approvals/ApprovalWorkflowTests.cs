using System.Net.Http.Json;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Approvals;

/// <summary>
/// §A6 "Approval": the workflow pauses at a <c>type: approval</c> job until someone approves it; the jobs that require it
/// wait (nothing is leased for them), approval releases them as a successful job would, an approval whose requirement
/// failed does not run, and a rerun waits for a new approval.
/// </summary>
public sealed class ApprovalWorkflowTests(ApprovalServer fixture) : IClassFixture<ApprovalServer>
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task The_workflow_waits_on_hold_with_nothing_leased_until_an_approval_releases_the_deploy()
    {
        var project = await fixture.ProjectAsync(ApprovalServer.HoldBeforeDeploy);
        var pipeline = await Server.TriggerAsync(project);
        var waiting = await fixture.WaitForJobStatusAsync(pipeline.Id, "hold", Status.OnHold, Status.OnHold);

        // The workflow and the pipeline wait for a person: on hold, not finished.
        var workflow = Assert.Single(waiting.Workflows);
        Assert.Equal(Status.OnHold, workflow.Status);
        Assert.Equal(Status.OnHold, waiting.Status);
        var jobs = workflow.Jobs.ToDictionary(j => j.Name);
        Assert.Equal(Status.Success, jobs["build"].Status);
        Assert.Equal(Status.Blocked, jobs["deploy"].Status);
        Assert.Equal(JobType.Approval, jobs["hold"].Type);
        Assert.Equal(jobs["hold"].Id, jobs["hold"].ApprovalRequestId);
        Assert.Null(jobs["hold"].ApprovedBy);
        Assert.Equal(JobType.Build, jobs["deploy"].Type);
        Assert.Null(jobs["deploy"].ApprovalRequestId);

        // The runner is busy meanwhile (another pipeline runs to its end), yet leases nothing of this one: the approval
        // has no node at all, the deploy's node stays blocked.
        var other = await Server.TriggerAsync(await fixture.ProjectAsync("""
            version: 2.1
            jobs:
              other:
                steps:
                  - run: echo other
            workflows:
              w:
                jobs: [other]
            """));
        Assert.Equal(Status.Success, (await Server.WaitForPipelineAsync(other.Id)).Status);
        var hold = await Server.JobAsync(jobs["hold"].Id);
        Assert.Equal(Status.OnHold, hold.Status);
        Assert.Empty(Assert.Single(hold.Attempts).Nodes);
        Assert.Equal(Status.OnHold, hold.Attempts[0].Status);
        var deploy = await Server.JobAsync(jobs["deploy"].Id);
        Assert.Equal(Status.Blocked, Assert.Single(Assert.Single(deploy.Attempts).Nodes).Status);
        Assert.Equal(Status.OnHold, (await Server.PipelineAsync(pipeline.Id)).Status);

        // CircleCI's own call and answer.
        var response = await ApprovalServer.ApproveAsync(fixture.Admin, workflow.Id, jobs["hold"].Id);
        await Expect.StatusAsync(response, 202);
        Assert.Equal("Accepted.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());

        var finished = await Server.WaitForPipelineAsync(pipeline.Id);
        Assert.Equal(Status.Success, finished.Status);
        var approved = finished.Workflows[0].Jobs.Single(j => j.Name == "hold");
        Assert.Equal(Status.Success, approved.Status);
        Assert.Equal("admin", approved.ApprovedBy);
        Assert.NotNull(approved.ApprovedAt);
        Assert.Contains("deployed", await Server.LogAsync(jobs["deploy"].Id), StringComparison.Ordinal);

        var holdView = await Server.JobAsync(approved.Id);
        Assert.Equal("admin", holdView.ApprovedBy);
        Assert.Equal(approved.ApprovedAt, holdView.ApprovedAt);
        Assert.Equal(Status.Success, holdView.Attempts[0].Status);
        Assert.NotNull(holdView.Attempts[0].FinishedAt);
    }

    [Fact]
    public async Task An_approval_that_requires_nothing_is_on_hold_at_once_and_a_parallel_job_keeps_the_workflow_running()
    {
        var project = await fixture.ProjectAsync("""
            version: 2.1
            jobs:
              slow:
                steps:
                  - run: echo started; sleep 30
              deploy:
                steps:
                  - run: echo deployed
            workflows:
              ship:
                jobs:
                  - slow
                  - hold:
                      type: approval
                  - deploy:
                      requires: [hold]
            """);
        var pipeline = await Server.TriggerAsync(project);
        var created = pipeline.Workflows[0].Jobs.ToDictionary(j => j.Name);
        Assert.Equal(Status.OnHold, created["hold"].Status);

        // slow runs beside the hold: the workflow is running, not on hold (§A6: on hold only when nothing else goes on).
        await Server.WaitForLogAsync(created["slow"].Id, "started");
        Assert.Equal(Status.Running, (await Server.PipelineAsync(pipeline.Id)).Workflows[0].Status);

        await Expect.StatusAsync(await fixture.Admin.PostAsync($"/api/jobs/{created["slow"].Id}/cancel", null), 202);
        var onHold = await fixture.WaitForJobStatusAsync(pipeline.Id, "slow", Status.Canceled, Status.OnHold);
        Assert.Equal(Status.OnHold, onHold.Workflows[0].Status);
        Assert.Equal(Status.OnHold, onHold.Status);

        await Expect.StatusAsync(await ApprovalServer.ApproveAsync(fixture.Admin, pipeline.Workflows[0].Id, created["hold"].Id), 202);
        var finished = await Server.WaitForPipelineAsync(pipeline.Id);
        var jobs = finished.Workflows[0].Jobs.ToDictionary(j => j.Name);
        Assert.Equal(Status.Success, jobs["deploy"].Status);
        Assert.Equal(Status.Canceled, finished.Status);
    }

    [Fact]
    public async Task An_approval_whose_requirement_failed_does_not_run_and_neither_do_its_dependents()
    {
        var project = await fixture.ProjectAsync("""
            version: 2.1
            jobs:
              build:
                steps:
                  - run: echo failing; exit 1
              deploy:
                steps:
                  - run: echo deployed
            workflows:
              ship:
                jobs:
                  - build
                  - hold:
                      type: approval
                      requires: [build]
                  - deploy:
                      requires: [hold]
            """);
        var pipeline = await Server.TriggerAsync(project);
        var finished = await Server.WaitForPipelineAsync(pipeline.Id);

        var jobs = finished.Workflows[0].Jobs.ToDictionary(j => j.Name);
        Assert.Equal(Status.Failed, jobs["build"].Status);
        Assert.Equal(Status.NotRun, jobs["hold"].Status);
        Assert.Equal(Status.NotRun, jobs["deploy"].Status);
        Assert.Equal(Status.Failed, finished.Status);

        var problem = await Expect.ProblemAsync(
            await ApprovalServer.ApproveAsync(fixture.Admin, finished.Workflows[0].Id, jobs["hold"].Id), 409, ErrorCodes.ApprovalNotOnHold);
        Assert.Contains("did not run", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workflow_rerun_puts_the_approval_on_hold_again_and_it_must_be_approved_again()
    {
        var project = await fixture.ProjectAsync(ApprovalServer.HoldBeforeDeploy);
        var pipeline = await Server.TriggerAsync(project);
        var waiting = await fixture.WaitForJobStatusAsync(pipeline.Id, "hold", Status.OnHold, Status.OnHold);
        var workflowId = waiting.Workflows[0].Id;
        var hold = waiting.Workflows[0].Jobs.Single(j => j.Name == "hold");

        // A rerun of a workflow on hold is refused, in words that say why.
        var refused = await Expect.ProblemAsync(
            await fixture.Admin.PostAsJsonAsync($"/api/workflows/{workflowId}/rerun", new RerunRequest(null), ApiJson.Options), 409, ErrorCodes.JobNotFinished);
        Assert.Contains("on hold", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);

        await Expect.StatusAsync(await ApprovalServer.ApproveAsync(fixture.Admin, workflowId, hold.Id), 202);
        Assert.Equal(Status.Success, (await Server.WaitForPipelineAsync(pipeline.Id)).Status);

        await Expect.StatusAsync(await fixture.Admin.PostAsJsonAsync($"/api/workflows/{workflowId}/rerun", new RerunRequest(null), ApiJson.Options), 202);
        var again = await fixture.WaitForJobStatusAsync(pipeline.Id, "hold", Status.OnHold, Status.OnHold);
        var jobs = again.Workflows[0].Jobs.ToDictionary(j => j.Name);
        Assert.Equal(2, jobs["hold"].Attempts);
        Assert.Null(jobs["hold"].ApprovedBy);
        Assert.Null(jobs["hold"].ApprovedAt);
        Assert.Equal(Status.Blocked, jobs["deploy"].Status);
        Assert.Equal(Status.OnHold, again.Status);
        var holdView = await Server.JobAsync(hold.Id);
        Assert.Equal([Status.Success, Status.OnHold], holdView.Attempts.Select(a => a.Status));
        Assert.All(holdView.Attempts, a => Assert.Empty(a.Nodes));

        await Expect.StatusAsync(await ApprovalServer.ApproveAsync(fixture.Admin, workflowId, hold.Id), 202);
        var finished = await Server.WaitForPipelineAsync(pipeline.Id);
        Assert.Equal(Status.Success, finished.Status);
        Assert.Equal(2, finished.Workflows[0].Jobs.Single(j => j.Name == "deploy").Attempts);
    }
}
