using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Runners.Http;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Data;

/// <summary>
/// The server on PostgreSQL (issue 14), in a cluster of this class's own (<see cref="PostgresCluster"/>), a database per
/// test: migrated at start, real jobs run by the built-in runner, a rerun, names unique whatever their case, runner
/// tokens and leases over the runner protocol.
/// </summary>
public sealed class PostgreSqlTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IDisposable
{
    private readonly TempFolder _data = new();
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        _disposables.ForEach(d => d.Dispose());
        _data.Dispose();
    }

    [Fact]
    public async Task A_travis_shell_job_runs_on_postgresql_and_its_rerun_too_and_a_restart_finds_them()
    {
        var database = await cluster.CreateDatabaseAsync();
        using var repository = GitRepository.WithFiles((".travis.yml", """
            language: shell
            script:
              - echo "hello from $TRAVIS_JOB_NUMBER"
            """));
        long jobId;
        await using (var server = await RunningServer.StartAsync(_data.Path, database: database))
        {
            await server.AddProjectAsync("pg", repository.Path);
            var pipeline = await server.TriggerAsync("pg");
            var finished = await server.WaitForPipelineAsync(pipeline.Id);
            Assert.Equal(Status.Success, finished.Status);
            jobId = finished.Workflows.Single().Jobs.Single().Id;
            Assert.Contains($"hello from {finished.Number}.1", await server.LogAsync(jobId), StringComparison.Ordinal);

            await Expect.StatusAsync(await server.Client.PostAsync($"/api/jobs/{jobId}/rerun", null), 202);
            var rerun = await WaitForAttemptsAsync(server, jobId, 2);
            Assert.Equal(Status.Success, rerun.Status);
            Assert.Contains($"hello from {finished.Number}.1", await server.LogAsync(jobId, attempt: 2), StringComparison.Ordinal);
        }

        // Nothing of it was in SQLite: the data folder has no database, and a server started again on PostgreSQL sees it all.
        Assert.False(File.Exists(Path.Combine(_data.Path, "porthole.db")), "a server on PostgreSQL made a SQLite database");
        await using (var again = await RunningServer.StartAsync(_data.Path, database: database))
        {
            var job = await again.JobAsync(jobId);
            Assert.Equal((Status.Success, 2), (job.Status, job.Attempts.Count));
        }

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("""SELECT count(*) FROM "Attempts" WHERE "JobId" = @job""", connection);
        count.Parameters.AddWithValue("job", jobId);
        Assert.Equal(2L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Names_are_unique_whatever_their_case_and_found_whatever_their_case()
    {
        await using var server = await RunningServer.StartAsync(_data.Path, database: await cluster.CreateDatabaseAsync());
        await server.CreateUserAsync("Alice");

        var taken = await server.Client.PostAsJsonAsync("/api/users", new { name = "alice" });
        Assert.Equal(409, (int)taken.StatusCode);

        var made = await server.Client.PostAsJsonAsync("/api/runner-tokens", new CreateRunnerTokenRequest("Build-Host"), ApiJson.Options);
        await Expect.StatusAsync(made, 201);
        var again = await server.Client.PostAsJsonAsync("/api/runner-tokens", new CreateRunnerTokenRequest("build-host"), ApiJson.Options);
        await Expect.ProblemAsync(again, 409, ErrorCodes.TokenNameTaken);
        await Expect.StatusAsync(await server.Client.DeleteAsync("/api/runner-tokens/BUILD-HOST"), 204);
        var listed = Assert.Single((await server.Client.GetFromJsonAsync<List<RunnerTokenView>>("/api/runner-tokens", ApiJson.Options))!);
        Assert.Equal(("Build-Host", true), (listed.Name, listed.Revoked));
    }

    [Fact]
    public async Task A_remote_runner_registers_leases_reports_and_completes_and_a_stale_lease_is_refused()
    {
        await using var server = await JobDataServer.StartAsync(_data.Path, database: await cluster.CreateDatabaseAsync());
        var runner = await RunnerHttpClient.CreateAsync(server, "edge-pg");
        _disposables.Add(runner);
        await Expect.StatusAsync(await runner.RegisterAsync(), 200);
        var repository = GitRepository.WithFiles((".travis.yml", "language: shell\nscript: echo hi\n"));
        _disposables.Add(repository);
        await server.AddProjectAsync("app", repository.Path);
        var jobId = (await server.TriggerAsync("app")).Workflows[0].Jobs[0].Id;

        var lease = (await runner.LeaseAsync())!;
        Assert.Equal(jobId, lease.JobId);
        Assert.Null(await runner.LeaseAsync(seconds: 0.3));
        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Heartbeat(lease.NodeId), lease.LeaseToken), 200);
        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Heartbeat(lease.NodeId), "prl_forged"), 409);

        var hello = Encoding.UTF8.GetBytes("hello from postgres\n");
        var appended = await runner.SendAsync(HttpMethod.Put, RunnerHttp.Log(lease.NodeId, 0), lease.LeaseToken, RunnerHttpClient.Bytes(hello));
        await Expect.StatusAsync(appended, 200);
        var started = TimeProvider.System.GetUtcNow();
        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Step(lease.NodeId), lease.LeaseToken,
            RunnerHttpClient.Json(new StepReport(0, "Run", StepState.Success, 0, 0, hello.Length, started, started))), 204);
        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Complete(lease.NodeId), lease.LeaseToken,
            RunnerHttpClient.Json(new NodeCompletion(NodeResult.Success, null))), 204);

        var job = (await server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!;
        Assert.Equal(Status.Success, job.Status);
        Assert.Equal("hello from postgres\n", await server.Client.GetStringAsync($"/api/jobs/{jobId}/log"));
        // The lease ended with the node: its token is refused from then on.
        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Heartbeat(lease.NodeId), lease.LeaseToken), 409);

        await using var db = server.Db();
        var node = await db.Nodes.SingleAsync(n => n.Id == lease.NodeId);
        Assert.NotNull(node.StartedAt);
        Assert.Equal(TimeSpan.Zero, node.StartedAt!.Value.Offset);
    }

    private static async Task<JobView> WaitForAttemptsAsync(RunningServer server, long jobId, int attempts)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
        while (true)
        {
            var job = await server.JobAsync(jobId);
            if (job.Attempts.Count >= attempts && Status.IsFinished(job.Status))
            {
                return job;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"job {jobId} has no finished attempt {attempts} after 60 s");
            await Task.Delay(100);
        }
    }
}
