using System.Net.Http.Headers;
using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Runners;

/// <summary>
/// <c>porthole server --no-builtin-runner</c> (issue 14): the real server process runs no job itself, registers no
/// runner, and a triggered job waits queued for a runner; without the option the built-in runner is listed.
/// </summary>
public sealed class NoBuiltInRunnerTests
{
    [Fact]
    public async Task Without_the_builtin_runner_no_runner_is_listed_and_a_job_stays_queued()
    {
        using var data = new TempFolder();
        using var repository = GitRepository.WithFiles((".travis.yml", "language: shell\nscript: echo ran\n"));
        await using var server = ServerProcess.Start(data.Path, "--no-builtin-runner");
        await server.ReadyAsync();
        using var client = await ClientAsync(server, data.Path);

        Assert.Empty((await client.GetFromJsonAsync<List<RunnerView>>("/api/runners", ApiJson.Options))!);
        await Expect.StatusAsync(await client.PostAsJsonAsync("/api/projects", new CreateProjectRequest("app", repository.Path, "private"), ApiJson.Options), 201);
        var response = await client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        var pipeline = (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;

        // Longer than a built-in runner takes to lease and finish this job (well under a second here).
        await Task.Delay(TimeSpan.FromSeconds(3));
        var job = (await client.GetFromJsonAsync<JobView>($"/api/jobs/{pipeline.Workflows.Single().Jobs.Single().Id}", ApiJson.Options))!;
        Assert.Equal(Status.Queued, job.Status);
    }

    [Fact]
    public async Task By_default_the_builtin_runner_is_listed()
    {
        using var data = new TempFolder();
        await using var server = ServerProcess.Start(data.Path);
        await server.ReadyAsync();
        using var client = await ClientAsync(server, data.Path);

        var runner = Assert.Single((await client.GetFromJsonAsync<List<RunnerView>>("/api/runners", ApiJson.Options))!);
        Assert.True(runner.BuiltIn);
    }

    private static async Task<HttpClient> ClientAsync(ServerProcess server, string data)
    {
        var client = new HttpClient { BaseAddress = new Uri(server.Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim());
        return client;
    }
}
