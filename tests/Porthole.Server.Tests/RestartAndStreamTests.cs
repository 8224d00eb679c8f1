using System.Net.Http.Headers;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

public sealed class RestartAndStreamTests
{
    [Fact]
    public async Task Logs_and_offsets_survive_a_server_restart_and_a_job_cut_off_by_it_is_an_infrastructure_failure()
    {
        using var data = new TempFolder();
        using var repository = GitRepository.WithFiles((".circleci/config.yml", """
            version: 2
            jobs:
              quick:
                steps:
                  - run: for i in $(seq 1 50); do echo "line $i"; done
              slow:
                steps:
                  - run: echo slow-started; sleep 60
            workflows:
              w:
                jobs: [quick, slow]
            """));
        long quickId, slowId;
        byte[] before;
        var server = await RunningServer.StartAsync(data.Path);
        try
        {
            await server.AddProjectAsync("p", repository.Path);
            var pipeline = await server.TriggerAsync("p");
            quickId = pipeline.Workflows[0].Jobs.Single(j => j.Name == "quick").Id;
            slowId = pipeline.Workflows[0].Jobs.Single(j => j.Name == "slow").Id;
            await server.WaitForJobAsync(quickId, j => Status.IsFinished(j.Status));
            await server.WaitForJobAsync(slowId, _ => true);
            for (var i = 0; i < 200 && !(await server.LogAsync(slowId)).Contains("slow-started", StringComparison.Ordinal); i++)
            {
                await Task.Delay(50);
            }

            before = await server.Client.GetByteArrayAsync($"/api/jobs/{quickId}/log");
        }
        finally
        {
            await server.StopAsync();
        }

        await using var restarted = await RunningServer.StartAsync(data.Path);
        var after = await restarted.Client.GetByteArrayAsync($"/api/jobs/{quickId}/log");
        Assert.Equal(before, after);
        Assert.Equal(before[100..], await restarted.Client.GetByteArrayAsync($"/api/jobs/{quickId}/log?offset=100"));

        var slow = await restarted.WaitForJobAsync(slowId, j => Status.IsFinished(j.Status), seconds: 20);
        Assert.Equal(Status.InfrastructureFail, slow.Status);
        var slowLog = await restarted.LogAsync(slowId);
        Assert.Contains("slow-started", slowLog);
        Assert.Contains("infrastructure_fail", slowLog);
    }

    [Fact]
    public async Task The_live_stream_shows_a_line_before_the_step_ends_and_resumes_at_an_offset()
    {
        using var data = new TempFolder();
        using var repository = GitRepository.WithFiles((".circleci/config.yml", """
            version: 2
            jobs:
              build:
                steps:
                  - run: |
                      echo "first line ✓"
                      sleep 3
                      echo "second line"
            """));
        await using var server = await RunningServer.StartAsync(data.Path);
        await server.AddProjectAsync("p", repository.Path);
        var pipeline = await server.TriggerAsync("p");
        var jobId = pipeline.Workflows[0].Jobs[0].Id;

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/jobs/{jobId}/log/stream?node=0");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var text = new StringBuilder();
        var sawFirstWhileRunning = false;
        string? endStatus = null;
        long next = 0;
        await foreach (var (name, payload) in ServerSentEvents.ReadAsync(reader))
        {
            if (name == "log")
            {
                Assert.Equal(next, payload.GetProperty("offset").GetInt64());
                next = payload.GetProperty("next").GetInt64();
                text.Append(payload.GetProperty("text").GetString());
                if (!sawFirstWhileRunning && text.ToString().Contains("first line ✓", StringComparison.Ordinal))
                {
                    sawFirstWhileRunning = (await server.JobAsync(jobId)).Status == Status.Running;
                }
            }
            else if (name == "end")
            {
                endStatus = payload.GetProperty("status").GetString();
                break;
            }
        }

        Assert.True(sawFirstWhileRunning, "the first line reached the stream only after the job had ended");
        Assert.True(endStatus == Status.Success, $"{endStatus}: {await server.LogAsync(jobId)}");
        var whole = await server.Client.GetByteArrayAsync($"/api/jobs/{jobId}/log");
        Assert.Equal(Encoding.UTF8.GetString(whole), text.ToString());
        Assert.Equal(whole.Length, next);

        // Resuming at an offset sends exactly the rest.
        using var resumed = new StringReader(await server.Client.GetStringAsync($"/api/jobs/{jobId}/log/stream?node=0&offset={whole.Length - 12}"));
        var rest = new StringBuilder();
        await foreach (var (name, payload) in ServerSentEvents.ReadAsync(resumed))
        {
            if (name == "log")
            {
                rest.Append(payload.GetProperty("text").GetString());
            }
        }

        Assert.Equal(Encoding.UTF8.GetString(whole[^12..]), rest.ToString());
    }
}
