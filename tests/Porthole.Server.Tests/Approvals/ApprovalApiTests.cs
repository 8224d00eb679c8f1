using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Approvals;

/// <summary>
/// Who may approve, and every way an approval is refused: a read member (403, nothing changes), ids that name no approval
/// (404), an approval not on hold (409: blocked, already approved, canceled); and cancel: an approval canceled while on hold
/// or blocked ends canceled and its dependents do not run (§A6).
/// </summary>
public sealed class ApprovalApiTests(ApprovalServer fixture) : IClassFixture<ApprovalServer>
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task A_read_member_is_refused_403_and_nothing_changes_then_a_write_member_approves()
    {
        var project = await fixture.ProjectAsync(ApprovalServer.HoldBeforeDeploy);
        using var reader = await fixture.MemberAsync(project, "read");
        using var writer = await fixture.MemberAsync(project, "write");
        var pipeline = await Server.TriggerAsync(project);
        var waiting = await fixture.WaitForJobStatusAsync(pipeline.Id, "hold", Status.OnHold, Status.OnHold);
        var workflowId = waiting.Workflows[0].Id;
        var hold = waiting.Workflows[0].Jobs.Single(j => j.Name == "hold");

        var problem = await Expect.ProblemAsync(await ApprovalServer.ApproveAsync(reader, workflowId, hold.Id), 403, ErrorCodes.Forbidden);
        Assert.Contains("write access", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(await reader.PostAsync($"/api/jobs/{hold.Id}/approve", null), 403, ErrorCodes.Forbidden);

        var after = await Server.PipelineAsync(pipeline.Id);
        Assert.Equal(Status.OnHold, after.Status);
        var jobs = after.Workflows[0].Jobs.ToDictionary(j => j.Name);
        Assert.Equal(Status.OnHold, jobs["hold"].Status);
        Assert.Null(jobs["hold"].ApprovedBy);
        Assert.Equal(Status.Blocked, jobs["deploy"].Status);

        // Porthole's own call answers the job, approved by the writer.
        var response = await writer.PostAsync($"/api/jobs/{hold.Id}/approve", null);
        await Expect.StatusAsync(response, 202);
        var approved = (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!;
        Assert.Equal(Status.Success, approved.Status);
        Assert.StartsWith("write-", approved.ApprovedBy, StringComparison.Ordinal);
        Assert.Equal(Status.Success, (await Server.WaitForPipelineAsync(pipeline.Id)).Status);
    }

    [Fact]
    public async Task Ids_that_name_no_approval_are_404_and_a_second_approval_is_409()
    {
        var project = await fixture.ProjectAsync(ApprovalServer.HoldBeforeDeploy);
        var pipeline = await Server.TriggerAsync(project);
        var waiting = await fixture.WaitForJobStatusAsync(pipeline.Id, "hold", Status.OnHold, Status.OnHold);
        var workflowId = waiting.Workflows[0].Id;
        var jobs = waiting.Workflows[0].Jobs.ToDictionary(j => j.Name);
        var admin = fixture.Admin;

        // Another pipeline's workflow holds the same names: its ids must not approve this hold, nor this workflow's ids its hold.
        var second = await Server.TriggerAsync(project);
        var otherWorkflow = (await fixture.WaitForJobStatusAsync(second.Id, "hold", Status.OnHold, Status.OnHold)).Workflows[0];

        await Expect.ProblemAsync(await ApprovalServer.ApproveAsync(admin, 999_999, jobs["hold"].Id), 404, ErrorCodes.NotFound);
        await Expect.ProblemAsync(await ApprovalServer.ApproveAsync(admin, otherWorkflow.Id, jobs["hold"].Id), 404, ErrorCodes.ApprovalNotFound);
        await Expect.ProblemAsync(await ApprovalServer.ApproveAsync(admin, workflowId, 999_999), 404, ErrorCodes.ApprovalNotFound);
        await Expect.ProblemAsync(await ApprovalServer.ApproveAsync(admin, workflowId, "not-a-number"), 404, ErrorCodes.ApprovalNotFound);
        await Expect.ProblemAsync(await ApprovalServer.ApproveAsync(admin, "x", jobs["hold"].Id), 404, ErrorCodes.NotFound);
        var notApproval = await Expect.ProblemAsync(await ApprovalServer.ApproveAsync(admin, workflowId, jobs["build"].Id), 404, ErrorCodes.ApprovalNotFound);
        Assert.Contains("not an approval job", notApproval.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(await admin.PostAsync($"/api/jobs/{jobs["deploy"].Id}/approve", null), 404, ErrorCodes.ApprovalNotFound);

        // A stranger to the private project sees no workflow at all.
        using var stranger = Server.ClientFor(await Server.CreateUserAsync("stranger-" + Guid.NewGuid().ToString("N")[..6]));
        await Expect.ProblemAsync(await ApprovalServer.ApproveAsync(stranger, workflowId, jobs["hold"].Id), 404, ErrorCodes.NotFound);
        Assert.Equal(Status.OnHold, (await fixture.JobAsync(pipeline.Id, "hold")).Status);

        await Expect.StatusAsync(await ApprovalServer.ApproveAsync(admin, workflowId, jobs["hold"].Id), 202);
        var twice = await Expect.ProblemAsync(await ApprovalServer.ApproveAsync(admin, workflowId, jobs["hold"].Id), 409, ErrorCodes.ApprovalNotOnHold);
        Assert.Contains("already been approved by admin", twice.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(await admin.PostAsync($"/api/jobs/{jobs["hold"].Id}/approve", null), 409, ErrorCodes.ApprovalNotOnHold);
        Assert.Equal(Status.Success, (await Server.WaitForPipelineAsync(pipeline.Id)).Status);

        // The second pipeline's hold was untouched by all of it.
        Assert.Equal(Status.OnHold, (await fixture.JobAsync(second.Id, "hold")).Status);
        await Expect.StatusAsync(await admin.PostAsync($"/api/jobs/{otherWorkflow.Jobs.Single(j => j.Name == "hold").Id}/cancel", null), 202);
    }

    [Fact]
    public async Task Cancel_while_on_hold_ends_the_approval_canceled_and_its_dependents_not_run()
    {
        var project = await fixture.ProjectAsync(ApprovalServer.HoldBeforeDeploy);
        var pipeline = await Server.TriggerAsync(project);
        var hold = (await fixture.WaitForJobStatusAsync(pipeline.Id, "hold", Status.OnHold, Status.OnHold)).Workflows[0].Jobs.Single(j => j.Name == "hold");

        var response = await fixture.Admin.PostAsync($"/api/jobs/{hold.Id}/cancel", null);
        await Expect.StatusAsync(response, 202);
        Assert.Equal(Status.Canceled, (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!.Status);

        var finished = await Server.WaitForPipelineAsync(pipeline.Id);
        var jobs = finished.Workflows[0].Jobs.ToDictionary(j => j.Name);
        Assert.Equal(Status.Canceled, jobs["hold"].Status);
        Assert.Equal(Status.NotRun, jobs["deploy"].Status);
        Assert.Equal(Status.Canceled, finished.Status);
        Assert.All((await Server.JobAsync(jobs["deploy"].Id)).Attempts[0].Nodes, n => Assert.Equal(Status.NotRun, n.Status));

        var late = await Expect.ProblemAsync(
            await ApprovalServer.ApproveAsync(fixture.Admin, finished.Workflows[0].Id, hold.Id), 409, ErrorCodes.ApprovalNotOnHold);
        Assert.Contains("was canceled", late.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approval_still_blocked_cannot_be_approved_and_canceling_the_workflow_skips_what_follows()
    {
        var project = await fixture.ProjectAsync("""
            version: 2.1
            jobs:
              build:
                steps:
                  - run: echo started; sleep 60
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
        var workflow = pipeline.Workflows[0];
        var jobs = workflow.Jobs.ToDictionary(j => j.Name);
        await Server.WaitForLogAsync(jobs["build"].Id, "started");

        var blocked = await Expect.ProblemAsync(await ApprovalServer.ApproveAsync(fixture.Admin, workflow.Id, jobs["hold"].Id), 409, ErrorCodes.ApprovalNotOnHold);
        Assert.Contains("blocked: it can be approved once build has succeeded", blocked.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(Status.Blocked, (await fixture.JobAsync(pipeline.Id, "hold")).Status);

        // Approvals have no nodes to enter: an SSH rerun of one is refused, in words that say so.
        using (var keys = new TempFolder())
        {
            await fixture.Admin.AddKeyAsync(SshKeyFile.Generate(keys.Path, "admin"));
        }

        var ssh = await Expect.ProblemAsync(
            await fixture.Admin.PostAsJsonAsync($"/api/jobs/{jobs["hold"].Id}/rerun", new RerunRequest(null, Ssh: true), ApiJson.Options), 409, ErrorCodes.JobNotFinished);
        Assert.Contains("is an approval job: it has no nodes to rerun with SSH", ssh.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // CircleCI's workflow cancel: the running build stops, the blocked hold ends canceled, deploy does not run.
        using var reader = await fixture.MemberAsync(project, "read");
        await Expect.ProblemAsync(await reader.PostAsync($"/api/v2/workflow/{workflow.Id}/cancel", null), 403, ErrorCodes.Forbidden);
        await Expect.StatusAsync(await fixture.Admin.PostAsync($"/api/v2/workflow/{workflow.Id}/cancel", null), 202);
        var finished = await Server.WaitForPipelineAsync(pipeline.Id, seconds: 30);
        var ended = finished.Workflows[0].Jobs.ToDictionary(j => j.Name);
        Assert.Equal(Status.Canceled, ended["build"].Status);
        Assert.Equal(Status.Canceled, ended["hold"].Status);
        Assert.Equal(Status.NotRun, ended["deploy"].Status);
        Assert.Equal(Status.Canceled, finished.Status);
        await Expect.ProblemAsync(await fixture.Admin.PostAsync($"/api/v2/workflow/{workflow.Id}/cancel", null), 409, ErrorCodes.JobFinished);
    }
}
