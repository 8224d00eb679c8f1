using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Monitoring;
using Porthole.Server.Tests.Support;
using Porthole.Data.Sqlite;

namespace Porthole.Server.Tests.Monitoring;

/// <summary>/metrics, /healthz and /readyz on the real server (issue 14, "Operations").</summary>
public sealed class MonitoringTests
{
    private static readonly string[] MetricNames =
    [
        "porthole_queue_nodes",
        "porthole_queue_wait_seconds",
        "porthole_nodes_running",
        "porthole_lease_duration_seconds",
        "porthole_heartbeat_duration_seconds",
        "porthole_log_ingested_bytes_total",
        "porthole_ssh_sessions_open",
        "http_request_duration_seconds",
    ];

    [Fact]
    public async Task Metrics_are_anonymous_name_every_figure_and_move_when_a_pipeline_runs()
    {
        using var data = new TempFolder();
        // Two jobs side by side and one slot: one runs while the other is queued, then waits its turn.
        using var repository = GitRepository.WithFiles((".circleci/config.yml", """
            version: 2
            jobs:
              a:
                steps:
                  - run: echo started-a; sleep 2
              b:
                steps:
                  - run: echo started-b; sleep 2
            workflows:
              w:
                jobs: [a, b]
            """));
        await using var server = await RunningServer.StartAsync(data.Path, new Dictionary<string, string?> { ["Runner:Concurrency"] = "1" });
        using var anonymous = server.ClientFor(null);

        var before = await ScrapeAsync(anonymous);
        foreach (var name in MetricNames)
        {
            Assert.Contains($"# HELP {name} ", before);
        }

        Assert.Equal(0, Value(before, "porthole_queue_wait_seconds_count"));
        Assert.Equal(0, Value(before, "porthole_log_ingested_bytes_total"));

        await server.AddProjectAsync("p", repository.Path);
        var pipeline = await server.TriggerAsync("p");
        var jobs = pipeline.Workflows[0].Jobs;
        var first = await WaitForFirstStartedAsync(server, jobs.Select(j => j.Id).ToList());

        var during = await ScrapeAsync(anonymous);
        Assert.Equal(1, Value(during, "porthole_queue_nodes"));
        Assert.Equal(1, Value(during, "porthole_nodes_running{runner=\"builtin\"}"));
        Assert.Equal(0, Value(during, "porthole_ssh_sessions_open"));

        await server.WaitForPipelineAsync(pipeline.Id);
        var logBytes = 0L;
        foreach (var job in jobs)
        {
            logBytes += (await server.Client.GetByteArrayAsync($"/api/jobs/{job.Id}/log")).Length;
        }

        var after = await ScrapeAsync(anonymous);
        Assert.Equal(2, Value(after, "porthole_queue_wait_seconds_count"));
        // The second job waited for the first one's two seconds of sleep.
        Assert.True(Value(after, "porthole_queue_wait_seconds_sum") >= 1.5, $"queue wait sum: {Value(after, "porthole_queue_wait_seconds_sum")} (first started: {first})");
        Assert.Equal(2, Value(after, "porthole_lease_duration_seconds_count"));
        Assert.True(Value(after, "porthole_heartbeat_duration_seconds_count") >= 2);
        Assert.True(Value(after, "porthole_log_ingested_bytes_total") >= logBytes && logBytes > 0, $"ingested {Value(after, "porthole_log_ingested_bytes_total")}, logs {logBytes}");
        Assert.Equal(0, Value(after, "porthole_queue_nodes"));
        Assert.Equal(0, Value(after, "porthole_nodes_running{runner=\"builtin\"}"));
        Assert.Contains("endpoint=\"/api/projects/{name}/pipelines", after);

        // Nothing of a user's or a secret's: the admin's token and the project's repository are not in the text.
        var token = (await File.ReadAllTextAsync(Path.Combine(data.Path, "admin-token"))).Trim();
        Assert.DoesNotContain(token, after);
        Assert.DoesNotContain(repository.Path, after);
    }

    [Fact]
    public async Task Health_and_readiness_answer_anonymously_and_metrics_can_be_switched_off()
    {
        using var data = new TempFolder();
        await using var server = await RunningServer.StartAsync(data.Path, new Dictionary<string, string?> { ["Porthole:Metrics:Enabled"] = "false" });
        using var anonymous = server.ClientFor(null);

        var health = await anonymous.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", await health.Content.ReadAsStringAsync());

        // Many in a row: nothing limits a prober's rate.
        for (var i = 0; i < 20; i++)
        {
            var ready = await anonymous.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Readiness_is_503_with_retry_after_and_a_reason_when_the_database_cannot_be_read()
    {
        using var data = new TempFolder();
        TestDatabase.KeepOnSqlite(data.Path); // the database file is made unreadable below
        await using var server = await RunningServer.StartAsync(data.Path);
        using var anonymous = server.ClientFor(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);

        // The database file is replaced by a folder of that name: SQLite cannot open it. Pooled connections still hold
        // the old file, so they are dropped, as they would be when a pool recycles them.
        var database = Path.Combine(data.Path, "porthole.db");
        var aside = database + ".aside";
        File.Move(database, aside);
        Directory.CreateDirectory(database);
        HttpResponseMessage notReady;
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            notReady = await anonymous.GetAsync("/readyz");
        }
        finally
        {
            Directory.Delete(database);
            File.Move(aside, database);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(MonitoringEndpoints.RetryAfterSeconds), notReady.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", notReady.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await notReady.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal("not_ready", problem.GetProperty("code").GetString());
        Assert.Contains("database cannot be reached", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(data.Path, problem.GetProperty("detail").GetString());

        // Back by itself once the database is.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task The_database_check_refuses_a_database_without_porthole_tables()
    {
        using var data = new TempFolder();
        var options = new DbContextOptionsBuilder<PortholeDb>().UsePortholeSqlite(data.Combine("empty.db")).Options;
        var factory = new PooledDbContextFactory<PortholeDb>(options);
        var result = await DatabaseReadiness.DatabaseAnswersAsync(factory, CancellationToken.None);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("cannot be reached", result.Description);
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of the sample line that starts with <paramref name="series"/> (name and labels, exactly).</summary>
    private static double Value(string text, string series)
    {
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no sample {series} in:\n{text}");
        return double.Parse(line[(series.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
    }

    private static async Task<long> WaitForFirstStartedAsync(RunningServer server, IReadOnlyList<long> jobIds)
    {
        for (var i = 0; i < 400; i++)
        {
            foreach (var id in jobIds)
            {
                if ((await server.LogAsync(id)).Contains("started-", StringComparison.Ordinal))
                {
                    return id;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("no job started");
    }
}
