using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Data;
using Porthole.Server.Data;
using Porthole.Server.Pipelines;
using Porthole.Server.Runners;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Runners;

/// <summary>
/// Issue 14's "database unreachable for 10 s": PostgreSQL stopped (<c>pg_ctl stop -m fast</c>) under a real server and a
/// real remote runner while a step prints; meanwhile the API and <c>/readyz</c> answer 503 with <c>Retry-After</c>, never
/// 500; then started again, the server recovers by itself (the same process), and the runner's spooled log arrives whole.
/// And the lease sweeper's rule after an outage (decision 20): a lease that ran out while the database was away is not
/// ended as lost until a whole lease duration after the database was last found unreachable. And the built-in runner's
/// completion of a node, which nothing would send again, waits for the database instead of being lost.
/// </summary>
public sealed partial class DatabaseOutageTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IAsyncLifetime
{
    private const int Lines = 50;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    private readonly TempFolder _root = new();
    private readonly List<IAsyncDisposable> _processes = [];
    private readonly List<IDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // A failed test may have left the cluster stopped: the next test of the class needs it.
        await EnsureClusterRunsAsync();
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].DisposeAsync();
        }

        _disposables.ForEach(d => d.Dispose());
        _root.Dispose();
    }

    [Fact]
    public async Task PostgreSQL_stopped_for_10_s_mid_job_gets_503_with_retry_after_and_the_job_passes_with_its_whole_log()
    {
        // A password in the connection string (trust authentication ignores it) that must never be printed.
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var database = await cluster.CreateDatabaseAsync() + ";Password=" + password;
        var data = Path.Combine(_root.Path, "data");
        // Leases of 6 s run out during the 10 s outage: the job must still pass (the sweeper's rule after an outage).
        var server = ServerProcess.Start(
            data, FreePort.Pick(), new Dictionary<string, string> { ["Porthole:Database"] = database, ["Porthole:LeaseDuration"] = "00:00:06" }, "--no-builtin-runner");
        _processes.Add(server);
        await server.ReadyAsync();
        var admin = Client(server.Url, (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim());
        var anonymous = Client(server.Url, null);

        var created = await admin.PostAsJsonAsync("/api/runner-tokens", new CreateRunnerTokenRequest("steady"), ApiJson.Options);
        await Expect.StatusAsync(created, 201);
        var runnerToken = (await created.Content.ReadFromJsonAsync<CreatedRunnerToken>(ApiJson.Options))!.Token;
        var runner = RunnerProcess.Start(server.Url, runnerToken, Path.Combine(_root.Path, "runner"));
        _processes.Add(runner);
        Assert.True(await runner.WaitForPrintedAsync("registered"), $"the runner did not register:\n{runner.Printed}");

        var repository = GitRepository.WithFiles((".travis.yml", $"language: shell\nscript: for i in $(seq 1 {Lines}); do echo \"line $i\"; sleep 0.5; done\n"));
        _disposables.Add(repository);
        await Expect.StatusAsync(await admin.PostAsJsonAsync("/api/projects", new CreateProjectRequest("app", repository.Path, "private"), ApiJson.Options), 201);
        var triggered = await admin.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null), ApiJson.Options);
        await Expect.StatusAsync(triggered, 201);
        var jobId = (await triggered.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!.Workflows[0].Jobs[0].Id;
        await WaitAsync(() => admin.GetStringAsync($"/api/jobs/{jobId}/log"), log => log.Contains("line 3", StringComparison.Ordinal), "the step's first lines");
        var pid = server.Id;

        await cluster.StopAsync();
        var stopped = TimeProvider.System.GetTimestamp();
        var answers = new List<string>();
        while (TimeProvider.System.GetElapsedTime(stopped) < Outage)
        {
            foreach (var (client, path) in new[] { (admin, $"/api/jobs/{jobId}"), (admin, "/api/pipelines/1"), (anonymous, "/readyz") })
            {
                using var response = await client.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                answers.Add($"{path}: {(int)response.StatusCode} Retry-After={response.Headers.RetryAfter?.Delta?.TotalSeconds} {body}");
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"while the database was away, {path} answered {(int)response.StatusCode}: {body}");
                Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.DoesNotContain(password, body, StringComparison.Ordinal);
                Assert.DoesNotContain("Host=", body, StringComparison.Ordinal);
            }

            await Task.Delay(500);
        }

        var problem = JsonDocument.Parse(answers[0][(answers[0].IndexOf('{', StringComparison.Ordinal))..]).RootElement;
        Assert.Equal(DatabaseUnavailableHandler.Code, problem.GetProperty("code").GetString());
        Assert.Equal("The database is unreachable", problem.GetProperty("title").GetString());
        await cluster.StartAgainAsync();

        JobView? job = null;
        await WaitAsync(
            async () => job = (await admin.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!,
            j => Status.IsFinished(j.Status),
            "the job to finish",
            TimeSpan.FromSeconds(90));
        Assert.True(job!.Status == Status.Success, $"the job ended {job.Status} ({job.Attempts[^1].Nodes[0].Message})\n{runner.Printed}");
        var stored = (await admin.GetStringAsync($"/api/jobs/{jobId}/log")).ReplaceLineEndings("\n");
        var numbers = StepLine().Matches(stored).Select(m => int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(numbers.SequenceEqual(Enumerable.Range(1, Lines)), $"the stored log does not hold lines 1..{Lines} once each, in order:\n{stored}");

        // The same server process, ready again, and nothing printed a password or a 500.
        Assert.False(server.HasExited, $"the server exited:\n{server.Printed}");
        Assert.Equal(pid, server.Id);
        Assert.True(Directory.Exists($"/proc/{pid}"), "the server's process is gone");
        using (var ready = await anonymous.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        foreach (var (who, printed) in new[] { ("server", server.Printed), ("runner", runner.Printed) })
        {
            Assert.DoesNotContain(password, printed, StringComparison.Ordinal);
            Assert.DoesNotContain("HTTP 500", printed, StringComparison.Ordinal);
            Assert.DoesNotContain("HTTP 400", printed, StringComparison.Ordinal);
            Assert.False(printed.Contains(runnerToken, StringComparison.Ordinal), $"the {who} printed the runner token");
        }

        Assert.Contains("The database cannot be reached", server.Printed, StringComparison.Ordinal);
        Assert.Contains("The database answers again", server.Printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lease_that_ran_out_while_the_database_was_away_is_not_lost_until_a_lease_after_its_return()
    {
        // The server on the real clock with hour-long leases (its own sweeper never ends one here); the sweeper under test
        // is the real class on the server's database and services, given a clock the test moves and an outage record of its own.
        var lease = TimeSpan.FromHours(1);
        var database = await cluster.CreateDatabaseAsync();
        await using var server = await JobDataServer.StartAsync(Path.Combine(_root.Path, "data"), new Dictionary<string, string?> { ["Porthole:LeaseDuration"] = "01:00:00" }, database: database);
        var repository = GitRepository.WithFiles((".travis.yml", "language: shell\nscript: echo never-runs\n"));
        _disposables.Add(repository);
        await server.AddProjectAsync("app", repository.Path);
        var jobId = (await server.TriggerAsync("app")).Workflows.Single().Jobs.Single().Id;
        var node = await server.LeaseAsync();

        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var availability = new DatabaseAvailability(clock, NullLogger<DatabaseAvailability>.Instance);
        using var sweeper = new LeaseSweeper(
            server.Get<IDbContextFactory<PortholeDb>>(),
            server.Runner,
            server.Get<LostNodeRetry>(),
            server.Get<StateLock>(),
            server.Get<ServerDatabase>(),
            availability,
            server.Get<IOptions<PortholeOptions>>(),
            clock,
            NullLogger<LeaseSweeper>.Instance);
        await sweeper.StartAsync(CancellationToken.None);
        try
        {
            // Just before the lease runs out, the database goes away, and the sweeper finds it so.
            clock.Advance(lease - TimeSpan.FromSeconds(5));
            await cluster.StopAsync();
            using (var during = await server.Client.GetAsync($"/api/jobs/{jobId}"))
            {
                await Expect.ProblemAsync(during, 503, DatabaseUnavailableHandler.Code);
                Assert.Equal(TimeSpan.FromSeconds(DatabaseFaults.RetryAfterSeconds), during.Headers.RetryAfter?.Delta);
            }

            await AdvanceUntilAsync(clock, () => availability.Away, "the sweeper to find the database away");
            var away = availability.LastUnreachableAt!.Value;

            // Back after the lease ran out: the next sweeps go through and leave the node alone.
            await cluster.StartAgainAsync();
            await AdvanceUntilAsync(clock, () => !availability.Away, "a sweep once the database is back");
            Assert.True(clock.GetUtcNow() > await LeaseExpiresAtAsync(server, node.NodeId), "the lease had not run out: the test proves nothing");
            Assert.Equal(Status.Running, await NodeStatusAsync(server, node.NodeId));

            // A whole lease after the database was last found away, and still not heard from: now it is lost.
            clock.Advance(availability.LastUnreachableAt!.Value + lease - clock.GetUtcNow() + TimeSpan.FromSeconds(5));
            await WaitAsync(() => NodeStatusAsync(server, node.NodeId), s => s == Status.InfrastructureFail, "the node to end as lost after the grace", TimeSpan.FromSeconds(20));
            Assert.True(availability.LastUnreachableAt >= away);
        }
        finally
        {
            await sweeper.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_built_in_runner_s_completion_of_a_node_waits_for_the_database_instead_of_being_lost()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var server = await JobDataServer.StartAsync(Path.Combine(_root.Path, "data"), database: database);
        var repository = GitRepository.WithFiles((".travis.yml", "language: shell\nscript: echo never-runs\n"));
        _disposables.Add(repository);
        await server.AddProjectAsync("app", repository.Path);
        var jobId = (await server.TriggerAsync("app")).Workflows.Single().Jobs.Single().Id;
        var node = await server.LeaseAsync();

        // What the built-in runner is given as its server (the Cli's composition takes it from the same container).
        var protocol = server.Get<IRunnerProtocol>();
        await cluster.StopAsync();
        var completing = protocol.CompleteNodeAsync(node.NodeId, new NodeCompletion(NodeResult.Success, null), CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(completing.IsCompleted, $"the completion ended while the database was away: {completing.Exception?.GetBaseException().Message}");

        await cluster.StartAgainAsync();
        await completing.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Status.Success, await NodeStatusAsync(server, node.NodeId));
        Assert.Equal(Status.Success, (await server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!.Status);
    }

    [GeneratedRegex(@"^line (?<n>\d+)$", RegexOptions.Multiline)]
    private static partial Regex StepLine();

    private static async Task<DateTimeOffset?> LeaseExpiresAtAsync(JobDataServer server, long nodeId)
    {
        await using var db = server.Db();
        return await db.Nodes.Where(n => n.Id == nodeId).Select(n => n.LeaseExpiresAt).SingleAsync();
    }

    private static async Task<string> NodeStatusAsync(JobDataServer server, long nodeId)
    {
        await using var db = server.Db();
        return await db.Nodes.Where(n => n.Id == nodeId).Select(n => n.Status).SingleAsync();
    }

    /// <summary>Moves the clock a sweep interval at a time until <paramref name="until"/> holds (each tick's sweep given time to run).</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider clock, Func<bool> until, string what)
    {
        for (var tick = 0; tick < 20 && !until(); tick++)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            for (var i = 0; i < 40 && !until(); i++)
            {
                await Task.Delay(50);
            }
        }

        Assert.True(until(), $"waited in vain for {what}");
    }

    private async Task EnsureClusterRunsAsync()
    {
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(cluster.AdminConnectionString);
            await connection.OpenAsync();
        }
        catch (Npgsql.NpgsqlException)
        {
            await cluster.StartAgainAsync();
        }
    }

    private HttpClient Client(string url, string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _disposables.Add(client);
        return client;
    }

    private static async Task WaitAsync<T>(Func<Task<T>> read, Func<T, bool> until, string what, TimeSpan? within = null)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                if (until(await read()))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet.
            }

            Assert.True(TimeProvider.System.GetElapsedTime(started) < (within ?? TimeSpan.FromSeconds(60)), $"waited in vain for {what}");
            await Task.Delay(100);
        }
    }
}
