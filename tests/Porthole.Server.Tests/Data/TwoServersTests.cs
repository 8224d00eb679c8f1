using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Runners.Http;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Data;

/// <summary>
/// Two servers on one PostgreSQL database (issue 14): four runners, two talking to each server, race for the same queued
/// nodes over the runner protocol; every node is leased by exactly one runner, once, and the pipelines roll up as on
/// one server (state changes are serialised across the servers by an advisory lock). Triggers of one project through
/// both servers take turns for its pipeline numbers and for its repository mirror in the shared data folder.
/// </summary>
public sealed class TwoServersTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IDisposable
{
    private const int Pipelines = 4;
    private const int JobsPerPipeline = 200;
    private readonly TempFolder _data = new();
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        _disposables.ForEach(d => d.Dispose());
        _data.Dispose();
    }

    [Fact]
    public async Task Four_runners_on_two_servers_lease_every_one_of_800_nodes_exactly_once()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var a = await JobDataServer.StartAsync(Path.Combine(_data.Path, "a"), database: database);
        // The admin exists once, in the shared database: server b is signed in to with the token server a made.
        Directory.CreateDirectory(Path.Combine(_data.Path, "b"));
        File.Copy(Path.Combine(_data.Path, "a", "admin-token"), Path.Combine(_data.Path, "b", "admin-token"));
        await using var b = await JobDataServer.StartAsync(Path.Combine(_data.Path, "b"), database: database);
        var config = new StringBuilder("version: 2\njobs:\n");
        for (var i = 0; i < JobsPerPipeline; i++)
        {
            config.Append(System.Globalization.CultureInfo.InvariantCulture, $"  j{i}:\n    steps:\n      - run: \"true\"\n");
        }

        config.Append("workflows:\n  version: 2\n  all:\n    jobs:\n");
        for (var i = 0; i < JobsPerPipeline; i++)
        {
            config.Append(System.Globalization.CultureInfo.InvariantCulture, $"      - j{i}\n");
        }

        var repository = GitRepository.WithFiles((".circleci/config.yml", config.ToString()));
        _disposables.Add(repository);
        await a.AddProjectAsync("race", repository.Path);

        var runners = new List<RunnerHttpClient>();
        for (var i = 0; i < 4; i++)
        {
            // Tokens are made on server a; runners 2 and 3 talk to server b, which finds them in the shared database.
            var runner = await RunnerHttpClient.CreateAsync(a, $"racer-{i}");
            if (i >= 2)
            {
                runner.Http.BaseAddress = b.Address;
            }

            _disposables.Add(runner);
            await Expect.StatusAsync(await runner.RegisterAsync(), 200);
            runners.Add(runner);
        }

        var pipelines = new List<PipelineView>();
        for (var p = 0; p < Pipelines; p++)
        {
            pipelines.Add(await (p % 2 == 0 ? a : b).TriggerAsync("race"));
        }

        var total = Pipelines * JobsPerPipeline;
        var leased = new ConcurrentDictionary<long, ConcurrentBag<string>>();
        var deadline = TimeProvider.System.GetTimestamp();
        await Task.WhenAll(runners.Select(runner => Task.Run(async () =>
        {
            while (leased.Count < total && TimeProvider.System.GetElapsedTime(deadline) < TimeSpan.FromMinutes(4))
            {
                if (await runner.LeaseAsync(0.5) is not { } lease)
                {
                    continue;
                }

                leased.GetOrAdd(lease.NodeId, _ => []).Add(runner.Name);
                var completed = await runner.SendAsync(HttpMethod.Post, RunnerHttp.Complete(lease.NodeId), lease.LeaseToken,
                    RunnerHttpClient.Json(new NodeCompletion(NodeResult.Success, null)));
                await Expect.StatusAsync(completed, 204);
            }
        })));

        Assert.Equal(total, leased.Count);
        var twice = leased.Where(l => l.Value.Count != 1).Select(l => $"node {l.Key}: {string.Join(", ", l.Value)}").ToList();
        Assert.True(twice.Count == 0, "leased more than once: " + string.Join("; ", twice));
        Assert.True(runners.All(r => leased.Values.Any(v => v.Contains(r.Name))), "a runner leased nothing: no race took place");
        foreach (var pipeline in pipelines)
        {
            var view = (await b.Client.GetFromJsonAsync<PipelineView>($"/api/pipelines/{pipeline.Id}", ApiJson.Options))!;
            Assert.Equal(Status.Success, view.Status);
        }
    }

    [Fact]
    public async Task Triggers_of_one_project_on_two_servers_at_once_each_get_a_pipeline_number_of_their_own()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var a = await JobDataServer.StartAsync(_data.Path, database: database);
        await using var b = await JobDataServer.StartAsync(_data.Path, database: database);
        await AddOneJobProjectAsync(a, "turns");

        // Each reads the next number before compiling; without taking turns across the servers, two would read the same.
        const int Each = 8;
        var triggered = await Task.WhenAll(Enumerable.Range(0, 2 * Each).Select(i => Task.Run(async () =>
        {
            var server = i % 2 == 0 ? a : b;
            return (await server.TriggerAsync("turns")).Number;
        })));

        Assert.Equal(Enumerable.Range(1, 2 * Each), triggered.Order());
    }

    [Fact]
    public async Task Two_servers_that_share_the_data_folder_write_a_projects_mirror_in_turns_and_each_trigger_sees_the_new_commit()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var a = await JobDataServer.StartAsync(_data.Path, database: database);
        await using var b = await JobDataServer.StartAsync(_data.Path, database: database);
        var repository = await AddOneJobProjectAsync(a, "mirrored");

        // Each round moves main and adds a branch, and both servers trigger at once: both fetch the same new refs into the
        // one mirror of the shared data folder (the first round clones it), and neither may fail on the other's git.
        for (var round = 0; round < 12; round++)
        {
            var commit = repository.Commit($"round {round}", ("round.txt", $"{round}\n"));
            repository.Run("branch", $"round-{round}");
            var both = await Task.WhenAll(Task.Run(() => a.TriggerAsync("mirrored")), Task.Run(() => b.TriggerAsync("mirrored")));
            Assert.All(both, pipeline => Assert.Equal(commit, pipeline.Commit));
        }
    }

    /// <summary>A project of one trivial job, added through <paramref name="server"/>; its repository is deleted with the test.</summary>
    private async Task<GitRepository> AddOneJobProjectAsync(JobDataServer server, string name)
    {
        var repository = GitRepository.WithFiles((".circleci/config.yml", "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps: [{run: \"true\"}]\n"));
        _disposables.Add(repository);
        await server.AddProjectAsync(name, repository.Path);
        return repository;
    }
}
