using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Contracts.Plans;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Projects;

/// <summary>
/// A project's image table reaches the runner with the lease (issue 13), through the real runner service with no runner
/// of the server's own: the test leases as a runner would. A Travis job gets the entries its language version and
/// services name (exact key and bare name), and nothing else of the table; a job without chosen images gets none.
/// </summary>
public sealed class ProjectImagesLeaseTests : IAsyncLifetime
{
    // §B8: python with one version is one job, in the python image of that version; §B12 services are containers too.
    private const string Travis = """
        language: python
        python: "3.8"
        services:
          - redis
          - postgresql
        script: true
        """;

    private const string CircleCi = """
        version: 2.1
        jobs:
          build:
            docker:
              - image: python:3.8
            steps:
              - run: echo build
        workflows:
          main:
            jobs: [build]
        """;

    private readonly TempFolder _data = new();
    private GitRepository _travis = null!;
    private GitRepository _circle = null!;
    private JobDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _travis = GitRepository.WithFiles((".travis.yml", Travis));
        _circle = GitRepository.WithFiles((".circleci/config.yml", CircleCi));
        _server = await JobDataServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("travis-app", _travis.Path);
        await _server.AddProjectAsync("circle-app", _circle.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _circle.Dispose();
        _travis.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_travis_job_gets_the_entries_its_language_version_and_services_name()
    {
        await SetTableAsync("travis-app", new Dictionary<string, string?>
        {
            ["python 3.8"] = "registry.example/python:3.8-team",
            ["python 3.9"] = "registry.example/python:3.9-team",
            ["python"] = "registry.example/python:any",
            ["redis"] = "registry.example/redis:7",
            ["redis 6"] = "registry.example/redis:6",
            ["node_js"] = "registry.example/node:20",
        });
        await _server.TriggerAsync("travis-app");

        var lease = await _server.LeaseAsync();

        // The plan says what the job chose; the lease carries only those entries of the table.
        var choices = lease.Job.Executor.Containers.Select(c => c.Choice?.ToString()).ToList();
        Assert.Equal(["python 3.8", "redis", "postgresql"], choices);
        Assert.Equal(
            [("python", "registry.example/python:any"), ("python 3.8", "registry.example/python:3.8-team"), ("redis", "registry.example/redis:7")],
            lease.ProjectImages.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Value)));
    }

    [Fact]
    public async Task A_travis_job_of_a_project_without_a_table_and_a_circleci_job_get_none()
    {
        await _server.TriggerAsync("travis-app");
        var travis = await _server.LeaseAsync();
        Assert.Contains(travis.Job.Executor.Containers, c => c.Choice is { Kind: ImageChoiceKind.Language, Name: "python" });
        Assert.Empty(travis.ProjectImages);

        // A CircleCI image is the config's own (no choice): the table does not apply to it.
        await SetTableAsync("circle-app", new Dictionary<string, string?> { ["python 3.8"] = "registry.example/python:3.8-team" });
        await _server.TriggerAsync("circle-app");
        var circle = await _server.LeaseAsync();
        Assert.All(circle.Job.Executor.Containers, c => Assert.Null(c.Choice));
        Assert.Empty(circle.ProjectImages);
    }

    private async Task SetTableAsync(string project, Dictionary<string, string?> images) =>
        await Expect.StatusAsync(
            await _server.Client.PutAsJsonAsync($"/api/projects/{project}/images", new ProjectImagesRequest(images), ApiJson.Options), 200);
}
