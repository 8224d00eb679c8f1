using System.Net.Http.Json;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Approvals;

/// <summary>
/// One real server (built-in runner, SQLite) for a class of approval tests; each test makes a project of its own on a
/// repository with its own config, so the tests never see each other's pipelines.
/// </summary>
public sealed class ApprovalServer : IAsyncLifetime
{
    /// <summary>build → hold (approval) → deploy: the workflow of CircleCI's "Hold a workflow for a manual approval" (§A6).</summary>
    public const string HoldBeforeDeploy = """
        version: 2.1
        jobs:
          build:
            steps:
              - run: echo built
          deploy:
            steps:
              - run: echo deployed
        workflows:
          ship:
            jobs:
              - build
              - hold:
                  type: approval
                  requires: [build]
              - deploy:
                  requires: [hold]
        """;

    private readonly TempFolder _data = new();
    private readonly List<GitRepository> _repositories = [];

    public RunningServer Server { get; private set; } = null!;

    public HttpClient Admin => Server.Client;

    public async Task InitializeAsync() => Server = await RunningServer.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        foreach (var repository in _repositories)
        {
            repository.Dispose();
        }

        _data.Dispose();
    }

    /// <summary>A new project (a name unique to the run) on a repository holding <paramref name="config"/>; returns its name.</summary>
    public async Task<string> ProjectAsync(string config)
    {
        var repository = GitRepository.WithFiles((".circleci/config.yml", config));
        lock (_repositories)
        {
            _repositories.Add(repository);
        }

        var name = "approvals-" + Guid.NewGuid().ToString("N")[..8];
        await Server.AddProjectAsync(name, repository.Path);
        return name;
    }

    /// <summary>A new user with <paramref name="role"/> in <paramref name="project"/>, as a client of its own.</summary>
    public async Task<HttpClient> MemberAsync(string project, string role)
    {
        var name = $"{role}-{Guid.NewGuid().ToString("N")[..6]}";
        var token = await Server.CreateUserAsync(name);
        await Expect.StatusAsync(await Admin.PutAsJsonAsync($"/api/projects/{project}/members/{name}", new { role }), 204);
        return Server.ClientFor(token);
    }

    /// <summary>The job of the pipeline named <paramref name="name"/>, as the pipeline lists it now.</summary>
    public async Task<JobSummary> JobAsync(long pipelineId, string name) =>
        (await Server.PipelineAsync(pipelineId)).Workflows.SelectMany(w => w.Jobs).Single(j => j.Name == name);

    /// <summary>
    /// Waits until the pipeline's job <paramref name="name"/> has <paramref name="status"/> (and the pipeline
    /// <paramref name="pipelineStatus"/>, when given: a job's status and its roll-up are stored one after the other);
    /// fails the test after 60 s.
    /// </summary>
    public async Task<PipelineView> WaitForJobStatusAsync(long pipelineId, string name, string status, string? pipelineStatus = null)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
        while (true)
        {
            var pipeline = await Server.PipelineAsync(pipelineId);
            if (pipeline.Workflows.SelectMany(w => w.Jobs).Single(j => j.Name == name).Status == status
                && (pipelineStatus is null || pipeline.Status == pipelineStatus))
            {
                return pipeline;
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"job {name} never became {status} (pipeline {pipelineStatus ?? "any"}): {JsonSerializer.Serialize(pipeline, ApiJson.Options)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>CircleCI's approve call, as <paramref name="client"/>.</summary>
    public static Task<HttpResponseMessage> ApproveAsync(HttpClient client, object workflowId, object approvalRequestId) =>
        client.PostAsync(FormattableString.Invariant($"/api/v2/workflow/{workflowId}/approve/{approvalRequestId}"), null);
}
