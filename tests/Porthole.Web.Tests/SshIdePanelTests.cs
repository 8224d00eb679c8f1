using System.Net.Http.Json;
using Microsoft.Playwright;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>
/// The SSH panel's VS Code and <c>~/.ssh/config</c> part (R-BEY-5), filled by a real sshd: the Host block and its known_hosts
/// line with copy buttons, and the Open in VS Code link while the project allows port forwarding (its reason when not).
/// </summary>
public sealed class SshIdePanelTests(WebFixture web) : WebTest(web)
{
    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - run: exit 3
        workflows:
          main:
            jobs: [build]
        """;

    [Fact]
    public async Task The_ssh_panel_shows_the_host_block_with_copy_buttons_and_opens_vs_code_when_port_forwarding_is_on()
    {
        using var project = await PipelineProject.CreateAsync(Web, "ide", Config);
        using var keys = new TempFolder();
        var (_, token) = await project.MemberAsync("writer", "write");
        using (var writer = project.ClientFor(token))
        {
            await PipelineProject.AddKeyAsync(writer, SshKeyFile.Generate(keys.Path, "mine"));
        }

        var job = await project.FinishedJobAsync();
        await project.SettingsAsync(new ProjectSettingsRequest(null, null) { SshPortForwarding = true });
        using (var writer = project.ClientFor(token))
        {
            var rerun = await writer.PostAsJsonAsync($"/api/jobs/{job.Id}/rerun", new RerunRequest(null, true), ApiJson.Options);
            Assert.Equal(202, (int)rerun.StatusCode);
        }

        var page = await Web.SignedInPageAsync(token);
        await page.GotoAsync($"/jobs/{job.Id}");
        var panel = page.Locator("#ssh-panel");
        var alias = $"porthole-{job.Id}-0";
        var block = panel.Locator("#ssh-config-0");
        await Assertions.Expect(block).ToContainTextAsync($"Host {alias}", new() { Timeout = 30_000 });
        var node = (await project.SshViewAsync(job.Id)).Nodes[0];
        Assert.Equal(node.SshConfig, await block.TextContentAsync());
        Assert.Contains($"  HostKeyAlias {alias}\n", node.SshConfig, StringComparison.Ordinal);
        Assert.Contains($"  Port {node.Port}\n", node.SshConfig, StringComparison.Ordinal);
        await Assertions.Expect(panel.Locator("#known-hosts-0")).ToHaveTextAsync($"{alias} {node.HostKey}");

        await panel.Locator("summary", new() { HasText = "VS Code" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Button, new() { Name = "Copy the Host block of node 0" })).ToBeVisibleAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Button, new() { Name = "Copy the known_hosts line of node 0" })).ToBeVisibleAsync();
        var vscode = panel.GetByRole(AriaRole.Link, new() { Name = "Open in VS Code" });
        await Assertions.Expect(vscode).ToHaveAttributeAsync("href", $"vscode://vscode-remote/ssh-remote+{alias}{node.WorkingDirectory}");
        await Screenshots.SaveAsync(page, "ssh-panel-vscode");

        // Off: the page says why there is no link.
        await project.SettingsAsync(new ProjectSettingsRequest(null, null) { SshPortForwarding = false });
        await page.ReloadAsync();
        await panel.Locator("summary", new() { HasText = "VS Code" }).ClickAsync();
        await Assertions.Expect(panel.Locator("[data-refusal='vscode']")).ToContainTextAsync("ssh_port_forwarding is off");
        await Assertions.Expect(panel.GetByRole(AriaRole.Link, new() { Name = "Open in VS Code" })).ToHaveCountAsync(0);

        await project.Admin.PostAsync($"/api/jobs/{job.Id}/cancel", null);
        await project.WaitForJobAsync(job.Id, j => Status.IsFinished(j.Attempts[^1].Status));
    }
}
