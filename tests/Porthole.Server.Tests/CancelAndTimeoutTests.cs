using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

public sealed class CancelAndTimeoutTests
{
    [Fact]
    public async Task Cancel_ends_the_whole_process_group_and_the_dependents_do_not_run()
    {
        using var data = new TempFolder();
        // The job's processes are in a sandbox of their own (their pids and files are not the host's): the grandchild is
        // found by the title it gives itself, for the assertions only.
        var marker = "porthole-grandchild-" + Guid.NewGuid().ToString("N")[..12];
        using var repository = GitRepository.WithFiles((".circleci/config.yml", $$"""
            version: 2
            jobs:
              slow:
                steps:
                  - run: |
                      bash -c 'exec -a {{marker}} sleep 300' &
                      sleep 0.2
                      echo started
                      wait
              later:
                steps:
                  - run: echo later
            workflows:
              w:
                jobs:
                  - slow
                  - later:
                      requires: [slow]
            """));
        await using var server = await RunningServer.StartAsync(data.Path);
        await server.AddProjectAsync("p", repository.Path);
        var pipeline = await server.TriggerAsync("p");
        var slow = pipeline.Workflows[0].Jobs.Single(j => j.Name == "slow");
        await server.WaitForLogAsync(slow.Id, "started");
        var grandchild = ProcessTitles.Find(marker).FirstOrDefault();
        Assert.True(grandchild > 0 && Alive(grandchild));

        var response = await server.Client.PostAsync($"/api/jobs/{slow.Id}/cancel", null);
        await Expect.StatusAsync(response, 202);
        var finished = await server.WaitForPipelineAsync(pipeline.Id, seconds: 30);

        Assert.Equal(Status.Canceled, finished.Status);
        var jobs = finished.Workflows[0].Jobs.ToDictionary(j => j.Name);
        Assert.Equal(Status.Canceled, jobs["slow"].Status);
        Assert.Equal(Status.NotRun, jobs["later"].Status);
        await WaitUntilAsync(() => !Alive(grandchild));
    }

    [Fact]
    public async Task A_queued_job_is_canceled_at_once()
    {
        using var data = new TempFolder();
        using var repository = GitRepository.WithFiles((".circleci/config.yml", """
            version: 2
            jobs:
              first:
                steps:
                  - run: sleep 30
              second:
                steps:
                  - run: echo second
            workflows:
              w:
                jobs:
                  - first
                  - second:
                      requires: [first]
            """));
        await using var server = await RunningServer.StartAsync(data.Path);
        await server.AddProjectAsync("p", repository.Path);
        var pipeline = await server.TriggerAsync("p");
        var second = pipeline.Workflows[0].Jobs.Single(j => j.Name == "second");
        Assert.Equal(Status.Blocked, second.Status);
        var response = await server.Client.PostAsync($"/api/jobs/{second.Id}/cancel", null);
        await Expect.StatusAsync(response, 202);
        Assert.Equal(Status.Canceled, (await server.JobAsync(second.Id)).Status);
        var first = pipeline.Workflows[0].Jobs.Single(j => j.Name == "first");
        await Expect.StatusAsync(await server.Client.PostAsync($"/api/jobs/{first.Id}/cancel", null), 202);
        Assert.Equal(Status.Canceled, (await server.WaitForPipelineAsync(pipeline.Id, seconds: 30)).Status);
    }

    [Fact]
    public async Task No_output_timeout_and_the_job_time_cap_end_the_step_as_timed_out()
    {
        using var data = new TempFolder();
        using var repository = GitRepository.WithFiles((".circleci/config.yml", """
            version: 2
            jobs:
              quiet:
                steps:
                  - run:
                      name: Silent too long
                      no_output_timeout: 1s
                      command: echo start; sleep 30
                  - run: echo not-reached
              long:
                steps:
                  - run: while true; do echo tick; sleep 0.2; done
            workflows:
              w:
                jobs: [quiet, long]
            """));
        await using var server = await RunningServer.StartAsync(data.Path, new Dictionary<string, string?> { ["Porthole:JobTimeout"] = "00:00:03" });
        await server.AddProjectAsync("p", repository.Path);
        var pipeline = await server.TriggerAsync("p");
        var finished = await server.WaitForPipelineAsync(pipeline.Id, seconds: 30);
        var jobs = finished.Workflows[0].Jobs.ToDictionary(j => j.Name);
        Assert.Equal(Status.TimedOut, jobs["quiet"].Status);
        Assert.Equal(Status.TimedOut, jobs["long"].Status);

        var quiet = await server.JobAsync(jobs["quiet"].Id);
        var steps = quiet.Attempts[0].Nodes[0].Steps;
        Assert.Equal(Status.TimedOut, steps[0].Status);
        Assert.DoesNotContain("not-reached", await server.LogAsync(quiet.Id));
        Assert.Contains("tick", await server.LogAsync(jobs["long"].Id));
    }

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}
