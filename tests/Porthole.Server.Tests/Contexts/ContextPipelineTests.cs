using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Contexts;

/// <summary>
/// A context's values in a job that runs (the real server and built-in runner): over the project's variables, under the
/// job's own environment and the CIRCLE_* built-ins (dialects.md §A1.5), its secrets masked in the log.
/// </summary>
public sealed class ContextPipelineTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          deploy:
            environment:
              FROM_JOB: job
            steps:
              - run: |
                  echo "common=$COMMON region=$REGION from_job=$FROM_JOB branch=$CIRCLE_BRANCH"
                  echo "token=$DEPLOY_TOKEN"
        workflows:
          main:
            jobs:
              - deploy:
                  context: deploy
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task The_contexts_values_reach_the_job_in_their_place_and_its_secrets_are_masked()
    {
        var client = _server.Client;
        await Expect.StatusAsync(await client.PostAsJsonAsync("/api/contexts", new CreateContextRequest("deploy", "write"), ApiJson.Options), 201);
        foreach (var (name, value, secret) in new[]
        {
            ("COMMON", "from-context", false),
            ("REGION", "eu-west-1", false),
            ("FROM_JOB", "from-context", false),
            ("CIRCLE_BRANCH", "from-context", false),
            ("DEPLOY_TOKEN", "tok-3f9a-secret", true),
        })
        {
            await Expect.StatusAsync(await client.PutAsJsonAsync($"/api/contexts/deploy/env/{name}", new SetVariableRequest(value, secret), ApiJson.Options), 200);
        }

        await Expect.StatusAsync(await client.PutAsJsonAsync("/api/projects/app/env/COMMON", new SetVariableRequest("from-project", false), ApiJson.Options), 200);

        var pipeline = await _server.WaitForPipelineAsync((await _server.TriggerAsync("app")).Id);

        var job = Assert.Single(Assert.Single(pipeline.Workflows).Jobs);
        var log = await _server.LogAsync(job.Id);
        Assert.True(pipeline.Status == Status.Success, log);
        Assert.Contains("common=from-context region=eu-west-1 from_job=job branch=main\n", log, StringComparison.Ordinal);
        Assert.Contains("token=********\n", log, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-3f9a-secret", log, StringComparison.Ordinal);
    }
}
