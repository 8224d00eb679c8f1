using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Runners;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// The browser terminal into a node of a remote runner (issue 14): the real server process with no built-in runner and a
/// real <c>porthole runner</c> process whose nodes' sshd listens on, and is advertised as, 127.0.0.2 (not the server's
/// address); the terminal's WebSocket is the browser's, the ssh client the server's own, joining the node there.
/// </summary>
public sealed class WebTerminalRemoteRunnerTests(RemoteRunnerFixture remote) : IClassFixture<RemoteRunnerFixture>
{
    [Fact]
    public async Task The_web_terminal_enters_a_node_of_a_remote_runner_at_its_advertised_host()
    {
        var pipeline = await remote.TriggerAsync("terminal-app", ".circleci/config.yml", """
            version: 2.1
            jobs:
              build:
                machine: true
                steps:
                  - run: echo built > built.txt
            workflows:
              main:
                jobs: [build]
            """);
        var jobId = pipeline.Workflows.Single().Jobs.Single().Id;
        Assert.Equal(Status.Success, (await remote.WaitForJobAsync(jobId, j => Status.IsFinished(j.Status))).Status);

        // A rerun with SSH asks for a key of the requester's; the terminal brings one of its own.
        using var keys = new TempFolder();
        await remote.Admin.AddKeyAsync(SshKeyFile.Generate(keys.Path, "mine"));
        await Expect.StatusAsync(await remote.Admin.PostAsJsonAsync($"/api/jobs/{jobId}/rerun", new RerunRequest(null, true), ApiJson.Options), 202);
        try
        {
            var node = await WaitForEndpointAsync(jobId);
            Assert.Equal(RemoteRunnerFixture.AdvertisedHost, node.Host);

            var token = remote.Admin.DefaultRequestHeaders.Authorization!.Parameter!;
            await using var web = await WebTerminalClient.ConnectAsync(new Uri(remote.Server.Url), token, jobId);
            await web.TypeAsync("echo hello-$((6*7)) $(cat built.txt)\r");
            await web.WaitForAsync("hello-42 built", seconds: 40);

            // The node saw an ssh session from the server's client, marked as the browser terminal's.
            var view = await WaitForSshViewAsync(jobId, v => v.Sessions.Any(s => s.Via == "web"));
            var session = view.Sessions.Single(s => s.Via == "web");
            Assert.Equal(("admin", false), (session.User, session.ReadOnly));
            await web.CloseAsync();
        }
        finally
        {
            await Expect.StatusAsync(await remote.Admin.PostAsync($"/api/jobs/{jobId}/cancel", null), 202);
        }

        var ended = await remote.WaitForJobAsync(jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        Assert.True(ended.Attempts[^1].Ssh);
    }

    private async Task<SshNodeView> WaitForEndpointAsync(long jobId)
    {
        var view = await WaitForSshViewAsync(jobId, v => v.Nodes is [{ Port: not null }]);
        return view.Nodes[0];
    }

    private async Task<JobSshView> WaitForSshViewAsync(long jobId, Func<JobSshView, bool> until)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
        while (true)
        {
            var response = await remote.Admin.GetAsync($"/api/jobs/{jobId}/ssh");
            if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<JobSshView>(ApiJson.Options) is { } view && until(view))
            {
                return view;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"the job's SSH view never got there; the runner printed:\n{remote.Runner.Printed}");
            await Task.Delay(100);
        }
    }
}
