using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;
using Porthole.Testing;

namespace Porthole.Bench;

/// <summary>
/// Issue 14's dispatch figures: the real <c>porthole server --no-builtin-runner</c> and four <c>porthole runner</c>
/// processes on this machine, over HTTP. First queue-to-start with idle runners (one single-step job at a time), then
/// throughput: 500 single-step jobs queued at once (5 pipelines of 100), jobs per second from the first trigger to the
/// last job's end, and their queue-to-start p50/p99. Queue-to-start is the job's first step start minus its pipeline's
/// creation, both stamped by the server's clock. The same with the server on SQLite, then on PostgreSQL (a cluster of the
/// bench's own, <see cref="PostgresServer"/>, stopped and removed at the end, or by its watcher if the bench is stopped
/// with Ctrl+C), and PostgreSQL's figures over SQLite's.
/// </summary>
public static class Dispatch
{
    private const int Runners = 4;
    private const int Capacity = 4;
    private const int JobsPerPipeline = 100;

    public static async Task<int> RunAsync(string[] args)
    {
        var jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
        var idleRuns = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var root = Directory.CreateTempSubdirectory("porthole-bench-dispatch-").FullName;
        try
        {
            var sqlite = await MeasureAsync(Path.Combine(root, "remote"), jobs, idleRuns, remote: true, database: null);
            Console.WriteLine($"dispatch (SQLite, {Runners} remote runners): {sqlite}");
            Console.WriteLine($"baseline (SQLite, the built-in runner, {Runners * Capacity} at once): {await MeasureAsync(Path.Combine(root, "builtin"), jobs, idleRuns, remote: false, database: null)}");

            await using var postgres = await PostgresServer.StartAsync();
            // Ctrl+C ends this process without its clean-up: the watcher then stops the cluster and removes its folder.
            postgres.StopWhenGone(Environment.ProcessId);
            await postgres.CreateDatabaseAsync("porthole_bench");
            var postgreSql = await MeasureAsync(Path.Combine(root, "postgresql"), jobs, idleRuns, remote: true, database: postgres.ConnectionString("porthole_bench"));
            Console.WriteLine($"dispatch (PostgreSQL, {Runners} remote runners): {postgreSql}");
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"PostgreSQL/SQLite: idle queue-to-start p50 {Stats.F(postgreSql.IdleP50 / sqlite.IdleP50, 2)}x, jobs/s {Stats.F(postgreSql.JobsPerSecond / sqlite.JobsPerSecond, 2)}x, queued queue-to-start p50 {Stats.F(postgreSql.QueuedP50 / sqlite.QueuedP50, 2)}x"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The figures of one measurement; <paramref name="database"/> is a PostgreSQL connection string, or null for SQLite.</summary>
    private static async Task<Figures> MeasureAsync(string root, int jobs, int idleRuns, bool remote, string? database)
    {
        var one = BenchRepository.Create(Path.Combine(root, "one"), Config(1));
        var many = BenchRepository.Create(Path.Combine(root, "many"), Config(JobsPerPipeline));
        var data = Path.Combine(root, "data");
        var settings = new Dictionary<string, string>();
        if (database is not null)
        {
            settings["Porthole:Database"] = database;
        }

        if (!remote)
        {
            settings["Runner:Concurrency"] = (Runners * Capacity).ToString(CultureInfo.InvariantCulture);
        }

        await using var server = remote
            ? ServerProcess.Start(data, FreePort.Pick(), settings, "--no-builtin-runner")
            : ServerProcess.Start(data, FreePort.Pick(), settings);
        await server.ReadyAsync();
        using var client = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim());
        (await client.PostAsJsonAsync("/api/projects", new CreateProjectRequest("one", one, null), ApiJson.Options)).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/api/projects", new CreateProjectRequest("many", many, null), ApiJson.Options)).EnsureSuccessStatusCode();

        var runners = new List<RunnerProcess>();
        try
        {
            for (var i = 0; remote && i < Runners; i++)
            {
                var created = await client.PostAsJsonAsync("/api/runner-tokens", new CreateRunnerTokenRequest($"bench-{i}"), ApiJson.Options);
                created.EnsureSuccessStatusCode();
                var token = (await created.Content.ReadFromJsonAsync<CreatedRunnerToken>(ApiJson.Options))!.Token;
                // A runner's own defaults (the test support's shorter intervals would cost this bench calls the built-in runner does not make).
                var defaults = new Dictionary<string, string>
                {
                    ["PORTHOLE_Runner__HeartbeatInterval"] = "00:00:00.500",
                    ["PORTHOLE_Runner__LogFlushInterval"] = "00:00:00.100",
                };
                var runner = RunnerProcess.Start(server.Url, token, Path.Combine(root, $"runner-{i}"), defaults, "--capacity", Capacity.ToString(CultureInfo.InvariantCulture));
                runners.Add(runner);
            }

            foreach (var runner in runners)
            {
                if (!await runner.WaitForPrintedAsync("registered"))
                {
                    throw new InvalidOperationException($"a runner did not register:\n{runner.Printed}");
                }
            }

            // Idle runners: one job at a time (the first, a warm-up, is not counted).
            var idle = new List<double>();
            for (var run = 0; run <= idleRuns; run++)
            {
                var pipeline = await TriggerAsync(client, "one");
                var job = await FinishedAsync(client, pipeline.Workflows[0].Jobs[0].Id);
                if (run > 0)
                {
                    idle.Add(QueueToStart(pipeline, job));
                }
            }

            // Throughput: every job queued at once.
            var pipelines = new List<PipelineView>();
            var serverCpu = ProcessCpu.Seconds(server.Id);
            var runnersCpu = runners.Sum(r => ProcessCpu.Seconds(r.Id));
            var first = TimeProvider.System.GetTimestamp();
            for (var queued = 0; queued < jobs; queued += JobsPerPipeline)
            {
                pipelines.Add(await TriggerAsync(client, "many"));
            }

            var waits = new List<double>();
            var failed = 0;
            var lastEnd = DateTimeOffset.MinValue;
            foreach (var pipeline in pipelines)
            {
                foreach (var summary in pipeline.Workflows.SelectMany(w => w.Jobs).Take(Math.Min(JobsPerPipeline, jobs - (pipelines.IndexOf(pipeline) * JobsPerPipeline))))
                {
                    var job = await FinishedAsync(client, summary.Id);
                    failed += job.Status == Status.Success ? 0 : 1;
                    waits.Add(QueueToStart(pipeline, job));
                    lastEnd = job.Attempts[^1].FinishedAt is { } end && end > lastEnd ? end : lastEnd;
                }
            }

            var seconds = (lastEnd - pipelines[0].CreatedAt).TotalSeconds;
            var wall = TimeProvider.System.GetElapsedTime(first).TotalSeconds;
            serverCpu = ProcessCpu.Seconds(server.Id) - serverCpu;
            runnersCpu = runners.Sum(r => ProcessCpu.Seconds(r.Id)) - runnersCpu;
            return new Figures(
                idleRuns, Stats.Median(idle), Percentile(idle, 0.99), waits.Count, waits.Count / seconds, seconds, wall, Stats.Median(waits), Percentile(waits, 0.99), failed)
            {
                ServerCpuPerJob = serverCpu * 1000 / waits.Count,
                RunnersCpuPerJob = runnersCpu * 1000 / waits.Count,
            };
        }
        finally
        {
            foreach (var runner in runners)
            {
                await runner.DisposeAsync();
            }
        }
    }

    /// <summary>What one measurement found: queue-to-start in ms, throughput in jobs per second.</summary>
    private sealed record Figures(
        int IdleRuns, double IdleP50, double IdleP99, int Queued, double JobsPerSecond, double Seconds, double Wall, double QueuedP50, double QueuedP99, int Failed)
    {
        /// <summary>CPU milliseconds per job during the throughput run: the server's (with the built-in runner's, when it runs jobs), the remote runners' (with their jobs' processes).</summary>
        public double ServerCpuPerJob { get; init; }

        public double RunnersCpuPerJob { get; init; }

        public override string ToString()
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"idle runners, queue-to-start over {IdleRuns} jobs: p50 {Stats.F(IdleP50, 0)} ms, p99 {Stats.F(IdleP99, 0)} ms (target p50 <= 250 ms); ");
            text.Append(CultureInfo.InvariantCulture, $"{Queued} jobs queued at once: {Stats.F(JobsPerSecond, 1)} jobs/s ({Stats.F(Seconds, 1)} s first trigger -> last end; {Stats.F(Wall, 1)} s wall; target >= 20 jobs/s), ");
            text.Append(CultureInfo.InvariantCulture, $"queue-to-start p50 {Stats.F(QueuedP50, 0)} ms, p99 {Stats.F(QueuedP99, 0)} ms; ");
            text.Append(CultureInfo.InvariantCulture, $"CPU per job: server {Stats.F(ServerCpuPerJob, 0)} ms, runners {Stats.F(RunnersCpuPerJob, 0)} ms");
            if (Failed > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"; {Failed} jobs did not succeed");
            }

            return text.ToString();
        }
    }

    /// <summary>A CircleCI config of <paramref name="count"/> independent single-step jobs on the shell executor.</summary>
    private static string Config(int count)
    {
        var text = new StringBuilder("version: 2\njobs:\n");
        for (var i = 0; i < count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  j{i:D3}:\n    steps:\n      - run: \"true\"\n");
        }

        text.Append("workflows:\n  version: 2\n  all:\n    jobs:\n");
        for (var i = 0; i < count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"      - j{i:D3}\n");
        }

        return text.ToString();
    }

    private static double QueueToStart(PipelineView pipeline, JobView job) =>
        (job.Attempts[^1].Nodes[0].Steps.OrderBy(s => s.Index).First().StartedAt - pipeline.CreatedAt).TotalMilliseconds;

    private static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static async Task<PipelineView> TriggerAsync(HttpClient client, string project)
    {
        var response = await client.PostAsJsonAsync($"/api/projects/{project}/pipelines", new TriggerRequest("main", null), ApiJson.Options);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;
    }

    private static async Task<JobView> FinishedAsync(HttpClient client, long jobId)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var job = (await client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!;
            if (Status.IsFinished(job.Status))
            {
                return job;
            }

            if (TimeProvider.System.GetElapsedTime(deadline) > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException($"job {jobId} did not finish within 10 minutes ({job.Status})");
            }

            await Task.Delay(10);
        }
    }
}
