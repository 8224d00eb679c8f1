using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Runners;

/// <summary>
/// <c>GET /api/runners</c> (issue 14): the built-in runner registers itself at start with its settings, heart-beats
/// while it runs, and counts the nodes leased to it and not finished.
/// </summary>
public sealed class RunnersListTests
{
    [Fact]
    public async Task The_built_in_runner_is_listed_with_its_settings_and_counts_its_running_nodes()
    {
        using var data = new TempFolder();
        using var repository = GitRepository.WithFiles((".circleci/config.yml", """
            version: 2
            jobs:
              slow:
                steps:
                  - run: echo started; sleep 30
            workflows:
              w:
                jobs: [slow]
            """));
        await using var server = await RunningServer.StartAsync(data.Path, new Dictionary<string, string?>
        {
            ["Runner:Name"] = "ci-box",
            ["Runner:Labels:0"] = "acme/gpu",
            ["Runner:Labels:1"] = "docker",
            ["Runner:Concurrency"] = "3",
            ["Ssh:AdvertiseHost"] = "ci.example.test",
        });
        using var alice = server.ClientFor(await server.CreateUserAsync("alice"));

        var runner = Assert.Single(await alice.GetFromJsonAsyncOrFail<List<RunnerView>>("/api/runners"));
        Assert.Equal(("ci-box", 3, "ci.example.test", true, 0), (runner.Name, runner.Capacity, runner.Address, runner.BuiltIn, runner.NodesRunning));
        // What it was given and the kinds every Linux runner runs (issue 14's labels), once each, sorted.
        Assert.Equal(["acme/gpu", "docker", "linux", "machine"], runner.Labels);
        Assert.False(string.IsNullOrWhiteSpace(runner.Version));
        Assert.NotNull(runner.LastHeartbeatAt);
        var firstHeartbeat = runner.LastHeartbeatAt!.Value;

        await server.AddProjectAsync("p", repository.Path);
        var pipeline = await server.TriggerAsync("p");
        var job = pipeline.Workflows[0].Jobs.Single();
        await server.WaitForLogAsync(job.Id, "started");
        Assert.Equal(1, Assert.Single(await alice.GetFromJsonAsyncOrFail<List<RunnerView>>("/api/runners")).NodesRunning);

        // Heard from again while it runs (written at most every 5 s).
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(15);
        while (Assert.Single(await alice.GetFromJsonAsyncOrFail<List<RunnerView>>("/api/runners")).LastHeartbeatAt <= firstHeartbeat)
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "the built-in runner's last heartbeat did not move in 15 s");
            await Task.Delay(200);
        }

        await Expect.StatusAsync(await server.Client.PostAsync($"/api/jobs/{job.Id}/cancel", null), 202);
        await server.WaitForPipelineAsync(pipeline.Id, seconds: 30);
        Assert.Equal(0, Assert.Single(await alice.GetFromJsonAsyncOrFail<List<RunnerView>>("/api/runners")).NodesRunning);
    }

    [Fact]
    public async Task A_restart_registers_the_same_runner_again_under_its_default_name()
    {
        using var data = new TempFolder();
        await using (var first = await RunningServer.StartAsync(data.Path))
        {
            var runner = Assert.Single(await first.Client.GetFromJsonAsyncOrFail<List<RunnerView>>("/api/runners"));
            Assert.Equal(Environment.MachineName.ToLowerInvariant() + "-builtin", runner.Name);
            Assert.Equal(["docker", "linux", "machine"], runner.Labels);
            Assert.Equal(8, runner.Capacity);
            Assert.Equal("127.0.0.1", runner.Address);
        }

        await using var second = await RunningServer.StartAsync(data.Path);
        Assert.Single(await second.Client.GetFromJsonAsyncOrFail<List<RunnerView>>("/api/runners"));
        using var anonymous = second.ClientFor(null);
        await Expect.ProblemAsync(await anonymous.GetAsync("/api/runners"), 401, ErrorCodes.Unauthorized);
    }
}
