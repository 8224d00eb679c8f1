using System.Net.Http.Json;
using Microsoft.Playwright;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>
/// A node held for SSH after its step failed (R-BEY-1) on the job page: the notice that says so and until when, the SSH
/// panel of the job's own attempt, and its Extend and Release buttons for writers (R-BEY-4), in a real browser.
/// </summary>
public sealed class HeldNodePanelTests(WebFixture web) : WebTest(web)
{
    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - run: echo failing on purpose; exit 3
        workflows:
          main:
            jobs: [build]
        """;

    [Fact]
    public async Task A_held_node_shows_until_when_it_waits_and_a_writer_extends_then_releases_it()
    {
        using var project = await PipelineProject.CreateAsync(Web, "held", Config);
        using var keys = new TempFolder();
        var (_, token) = await project.MemberAsync("writer", "write");
        using var writer = project.ClientFor(token);
        await PipelineProject.AddKeyAsync(writer, SshKeyFile.Generate(keys.Path, "mine"));
        var triggered = await writer.PostAsJsonAsync($"/api/projects/{project.Name}/pipelines", new TriggerRequest(null, null) { HoldOnFailure = true }, ApiJson.Options);
        Assert.Equal(201, (int)triggered.StatusCode);
        var jobId = (await triggered.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!.Workflows[0].Jobs[0].Id;
        await project.WaitForJobAsync(jobId, j => j.Attempts[0].Nodes[0].Ssh?.EndsAt is not null);

        var page = await Web.SignedInPageAsync(token);
        await page.GotoAsync($"/jobs/{jobId}");
        await Assertions.Expect(page.Locator("[data-held-node='0']")).ToContainTextAsync("held for SSH after its step failed");
        await Assertions.Expect(page.Locator("[data-held-node='0']")).ToContainTextAsync($"porthole ssh {jobId} --node 0");
        var panel = page.Locator("#ssh-panel");
        var endsAt = panel.Locator("[data-ssh-node='0'] [data-field='ends-at']");
        await Assertions.Expect(endsAt).ToContainTextAsync("unless someone connects");
        var before = (await project.JobAsync(jobId)).Attempts[0].Nodes[0].Ssh!.EndsAt!.Value;
        await Screenshots.SaveAsync(page, "held-node");

        await endsAt.GetByRole(AriaRole.Button, new() { Name = "Extend 30 min" }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash")).ToContainTextAsync("stays 30m longer");
        var extended = await project.WaitForJobAsync(jobId, j => j.Attempts[0].Nodes[0].Ssh?.EndsAt > before);
        Assert.Equal(before + TimeSpan.FromMinutes(30), extended.Attempts[0].Nodes[0].Ssh!.EndsAt!.Value, TimeSpan.FromSeconds(1));

        await page.Locator("#ssh-panel [data-ssh-node='0'] [data-field='ends-at']").GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash")).ToContainTextAsync("is released");
        var ended = await project.WaitForJobAsync(jobId, j => Status.IsFinished(j.Attempts[0].Nodes[0].Status));
        Assert.Equal(Status.Failed, ended.Status);
        Assert.Equal(Status.Failed, ended.Attempts[0].Nodes[0].Status);
    }
}
