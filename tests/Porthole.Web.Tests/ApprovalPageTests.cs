using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porthole.Contracts.Api;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>
/// The pipeline page of a workflow held by an approval job (§A6): "on hold — waiting for approval", the Approve button for
/// members with write access and the reason in its place for readers (whose forged form the server refuses), and after
/// approval who approved it, with the workflow gone on to its end.
/// </summary>
public sealed class ApprovalPageTests(WebFixture web) : WebTest(web)
{
    private const string Config = """
        version: 2.1
        parameters:
          target: {type: string, default: staging}
        jobs:
          build:
            steps:
              - run: echo built << pipeline.parameters.target >>
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
        """;

    [Fact]
    public async Task A_writer_approves_from_the_pipeline_page_a_reader_sees_why_not_and_cannot_post_it()
    {
        using var project = await PipelineProject.CreateAsync(Web, "approval", Config);
        var (_, readerToken) = await project.MemberAsync("reader", "read");
        var (writerName, writerToken) = await project.MemberAsync("writer", "write");
        var pipeline = await project.TriggerAsync();
        var holdId = pipeline.Workflows[0].Jobs.Single(j => j.Name == "hold").Id;
        await project.WaitForJobAsync(holdId, j => j.Status == Status.OnHold);

        // A reader: the hold and why there is no button.
        var reader = await Web.SignedInPageAsync(readerToken);
        await reader.GotoAsync($"/pipelines/{pipeline.Id}");
        await Assertions.Expect(reader.Locator(".pipeline-parameters code")).ToHaveTextAsync("target=staging");
        await Assertions.Expect(reader.Locator(".trigger-source")).ToHaveTextAsync("source api");
        var readerRow = reader.Locator($"tr[data-job='{holdId}']");
        await Assertions.Expect(readerRow.Locator("td[data-label='Status']")).ToContainTextAsync(new Regex(@"on hold\s*— waiting for approval"));
        await Assertions.Expect(readerRow.Locator("[data-refusal='approve']")).ToHaveTextAsync("Approve: read-only access");
        await Assertions.Expect(reader.GetByRole(AriaRole.Button, new() { Name = "Approve hold" })).ToHaveCountAsync(0);

        // The server checks the role too: the reader's own form (a valid antiforgery token) posted to the approve address.
        var refused = await reader.RunAndWaitForResponseAsync(() => reader.EvaluateAsync($$"""
            () => {
              const token = document.querySelector("input[name='__RequestVerificationToken']").value;
              const form = document.createElement("form");
              form.method = "post";
              form.action = "/jobs/{{holdId}}/approve";
              const input = document.createElement("input");
              input.type = "hidden";
              input.name = "__RequestVerificationToken";
              input.value = token;
              form.append(input);
              document.body.append(form);
              form.submit();
            }
            """), r => r.Url.EndsWith($"/jobs/{holdId}/approve", StringComparison.Ordinal));
        Assert.Equal(403, refused.Status);
        Assert.Equal(Status.OnHold, (await project.JobAsync(holdId)).Status);

        // A writer: the badges say on hold, the button approves, and the flash says what follows.
        var writer = await Web.SignedInPageAsync(writerToken);
        await writer.GotoAsync($"/pipelines/{pipeline.Id}");
        await Assertions.Expect(writer.Locator("h1 .status")).ToHaveTextAsync("on hold");
        await Assertions.Expect(writer.Locator($"#workflow-{pipeline.Workflows[0].Id} h2 .status")).ToHaveTextAsync("on hold");
        var row = writer.Locator($"tr[data-job='{holdId}']");
        await Assertions.Expect(row.Locator(".tag-approval")).ToHaveTextAsync("approval");
        await Assertions.Expect(row.Locator("td[data-label='Status']")).ToContainTextAsync(new Regex(@"on hold\s*— waiting for approval"));
        await Screenshots.SaveAsync(writer, "pipeline-on-hold", narrowToo: true);
        var stale = await Web.SignedInPageAsync(writerToken);
        await stale.GotoAsync($"/pipelines/{pipeline.Id}");
        await row.GetByRole(AriaRole.Button, new() { Name = "Approve hold" }).ClickAsync();

        await Assertions.Expect(writer).ToHaveURLAsync(new Regex($@"/pipelines/{pipeline.Id}#workflow-\d+$"));
        await Assertions.Expect(writer.Locator(".flash")).ToHaveTextAsync("Approved hold: the jobs that require it run now.");
        var deployId = pipeline.Workflows[0].Jobs.Single(j => j.Name == "deploy").Id;
        await project.WaitForJobAsync(deployId, j => j.Status == Status.Success);
        await WaitForPipelineAsync(project, pipeline.Id, Status.Success);

        await writer.ReloadAsync();
        await Assertions.Expect(row.Locator("[data-field='approval']")).ToContainTextAsync($"approved by {writerName}");
        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Approve hold" })).ToHaveCountAsync(0);
        await Assertions.Expect(writer.Locator($"tr[data-job='{deployId}'] td[data-label='Status']")).ToHaveTextAsync("success");
        await Assertions.Expect(writer.Locator("h1 .status")).ToHaveTextAsync("success");
        await Screenshots.SaveAsync(writer, "pipeline-approved");

        // The approval's own job page: its attempt, no nodes, no error.
        await writer.GotoAsync($"/jobs/{holdId}");
        await Assertions.Expect(writer.Locator("h1")).ToContainTextAsync("hold");
        await Assertions.Expect(writer.Locator("[data-job-status] .status")).ToHaveTextAsync("success");

        // Approving again from a page loaded before the approval is refused with the reason, as a flash.
        await stale.Locator($"tr[data-job='{holdId}']").GetByRole(AriaRole.Button, new() { Name = "Approve hold" }).ClickAsync();
        await Assertions.Expect(stale.Locator(".flash")).ToContainTextAsync($"has already been approved by {writerName}");
    }

    private static async Task WaitForPipelineAsync(PipelineProject project, long id, string status)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await project.Admin.GetFromJsonAsync<PipelineView>($"/api/pipelines/{id}", ApiJson.Options))!.Status != status)
        {
            Assert.False(timeout.IsCancellationRequested, $"pipeline {id} never became {status}");
            await Task.Delay(100);
        }
    }
}
