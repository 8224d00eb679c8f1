using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>The browser terminal of a docker job: it goes through the node's sshd on the host, and lands in the container.</summary>
public sealed partial class BrowserTerminalTests
{
    [Fact]
    public async Task The_browser_terminal_of_a_docker_jobs_ssh_rerun_lands_in_its_container()
    {
        await DockerTestImages.EnsureAsync();
        var config = $$"""
            version: 2
            jobs:
              build:
                docker:
                  - image: {{DockerTestImages.Debian}}
                    user: circleci
                steps:
                  - run: echo hello from the container
            workflows:
              main:
                jobs: [build]
            """;
        using var project = await PipelineProject.CreateAsync(Web, "docker-term", config);
        using var keys = new TempFolder();
        var (_, ownerToken) = await project.MemberAsync("owner", "admin");
        using var ownerApi = project.ClientFor(ownerToken);
        await PipelineProject.AddKeyAsync(ownerApi, SshKeyFile.Generate(keys.Path, "owner"));
        var job = await project.FinishedJobAsync();
        Assert.Equal(Status.Success, job.Status);
        var rerun = await ownerApi.PostAsJsonAsync($"/api/jobs/{job.Id}/rerun", new RerunRequest(null, Ssh: true), ApiJson.Options);
        Assert.True(rerun.IsSuccessStatusCode, await rerun.Content.ReadAsStringAsync());

        var page = await SignedInAsync(ownerToken);
        await page.GotoAsync($"/jobs/{job.Id}");
        var slot = page.Locator("#terminal-0");
        var open = slot.GetByRole(AriaRole.Button, new() { Name = "Open terminal" });
        await Assertions.Expect(open).ToBeVisibleAsync(SshdUp);
        await open.ClickAsync();
        await Assertions.Expect(slot.Locator("[data-terminal-status]")).ToHaveTextAsync(new Regex("^connected as "), new() { Timeout = 30_000 });

        // The container's user (uid 3434 in the image), its home and the job's directory: not the runner's host.
        await page.Keyboard.TypeAsync("echo in-$(id -u)-$(pwd)-$((6*7))");
        await page.Keyboard.PressAsync("Enter");
        await WaitForTerminalTextAsync(page, "in-3434-/home/circleci/project-42");

        await slot.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await project.WaitForJobAsync(job.Id, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 60);
        Assert.Empty(_scriptErrors);
    }
}
