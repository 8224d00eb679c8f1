using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Bench;

/// <summary>
/// Issue 14's dispatch figures: the real <c>porthole server --no-builtin-runner</c> and four <c>porthole runner</c>
/// processes on this machine, over HTTP. First queue-to-start with idle runners (one single-step job at a time), then
/// throughput: 500 single-step jobs queued at once (5 pipelines of 100), jobs per second from the first trigger to the
/// last job's end, and their queue-to-start p50/p99. Queue-to-start is the job's first step start minus its pipeline's
/// creation, both stamped by the server's clock.
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
            Console.WriteLine($"dispatch (SQLite, {Runners} remote runners): {await MeasureAsync(Path.Combine(root, "remote"), jobs, idleRuns, remote: true)}");
            Console.WriteLine($"baseline (SQLite, the built-in runner, {Runners * Capacity} at once): {await MeasureAsync(Path.Combine(root, "builtin"), jobs, idleRuns, remote: false)}");
            Console.WriteLine("dispatch (PostgreSQL): not measured yet: this bench's PostgreSQL half is still to come (issue 14).");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<string> MeasureAsync(string root, int jobs, int idleRuns, bool remote)
    {
        var one = BenchRepository.Create(Path.Combine(root, "one"), Config(1));
        var many = BenchRepository.Create(Path.Combine(root, "many"), Config(JobsPerPipeline));
        var data = Path.Combine(root, "data");
        await using var server = remote
            ? ServerProcess.Start(data, "--no-builtin-runner")
            : ServerProcess.Start(data, FreePort.Pick(), new Dictionary<string, string> { ["Runner:Concurrency"] = (Runners * Capacity).ToString(CultureInfo.InvariantCulture) });
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
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"idle runners, queue-to-start over {idleRuns} jobs: p50 {Stats.F(Stats.Median(idle), 0)} ms, p99 {Stats.F(Percentile(idle, 0.99), 0)} ms (target p50 <= 250 ms); ");
            text.Append(CultureInfo.InvariantCulture, $"{waits.Count} jobs queued at once: {Stats.F(waits.Count / seconds, 1)} jobs/s ({Stats.F(seconds, 1)} s first trigger -> last end; {Stats.F(wall, 1)} s wall; target >= 20 jobs/s), ");
            text.Append(CultureInfo.InvariantCulture, $"queue-to-start p50 {Stats.F(Stats.Median(waits), 0)} ms, p99 {Stats.F(Percentile(waits, 0.99), 0)} ms");
            if (failed > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"; {failed} jobs did not succeed");
            }

            return text.ToString();
        }
        finally
        {
            foreach (var runner in runners)
            {
                await runner.DisposeAsync();
            }
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
