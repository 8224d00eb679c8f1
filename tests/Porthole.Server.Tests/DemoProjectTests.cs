using System.Net.Http.Headers;
using Porthole.Contracts.Api;
using Porthole.Pipeline;
using Porthole.Server.Demo;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

public sealed class DemoProjectTests
{
    [Fact]
    public void The_demo_config_plans_three_jobs_one_parallel_one_failing()
    {
        var result = ConfigReader.Read(".circleci/config.yml", DemoProject.Config);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var jobs = result.Plan!.Workflows.Single().Jobs;
        Assert.Equal(["build", "test", "lint"], jobs.Select(j => j.Name));
        Assert.Equal(2, jobs.Single(j => j.Name == "test").Parallelism);
        Assert.Contains(jobs.Single(j => j.Name == "lint").Steps, s => s.Command?.Contains("exit 1", StringComparison.Ordinal) == true);
    }

    /// <summary>The README's first command in essence: the real `porthole server --demo` process, its pipeline, its printout.</summary>
    [Fact]
    public async Task Server_demo_runs_the_demo_pipeline_and_prints_where_to_look_but_never_the_token()
    {
        using var data = new TempFolder();
        await using var server = ServerProcess.Start(data.Path, "--demo");
        var port = server.Port;
        await server.WaitForPrintedAsync("Stop the server");
        var printed = server.Printed;
        Assert.Contains($"Porthole is running at http://127.0.0.1:{port}", printed, StringComparison.Ordinal);
        Assert.Contains($"The web: open http://127.0.0.1:{port}/jobs/", printed, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(data.Path, "admin-token"), printed, StringComparison.Ordinal);
        var token = (await File.ReadAllTextAsync(Path.Combine(data.Path, "admin-token"))).Trim();
        Assert.DoesNotContain(token, printed, StringComparison.Ordinal);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        PipelineView? pipeline = null;
        for (var i = 0; i < 1200; i++)
        {
            pipeline = (await client.GetFromJsonAsyncOrFail<List<PipelineView>>("/api/projects/demo/pipelines")).Single();
            if (Status.IsFinished(pipeline.Status))
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal(Status.Failed, pipeline!.Status);
        var jobs = pipeline.Workflows.Single().Jobs.ToDictionary(j => j.Name);
        Assert.Equal(Status.Success, jobs["build"].Status);
        Assert.Equal(Status.Success, jobs["test"].Status);
        Assert.Equal(2, jobs["test"].Parallelism);
        Assert.Equal(Status.Failed, jobs["lint"].Status);
        Assert.Contains($"logs {jobs["test"].Id} --node 1 -f", printed, StringComparison.Ordinal);
    }
}
