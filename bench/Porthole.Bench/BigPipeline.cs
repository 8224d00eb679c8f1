using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Pipeline;

namespace Porthole.Bench;

/// <summary>
/// Triggering a pipeline of many jobs (issue 9, item 5): how long the trigger takes, and what it does to readers —
/// the latency of <c>GET /api/jobs/ID</c> (a job of an earlier pipeline) asked in a loop while the trigger runs,
/// against the same loop with nothing else running. Target: the readers' max ≤ 200 ms.
/// </summary>
public static class BigPipeline
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = args.Length > 0 ? [.. args[0].Split(',').Select(size => int.Parse(size, CultureInfo.InvariantCulture))] : new[] { 200, 500 };
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        foreach (var size in sizes)
        {
            await RunSizeAsync(size, runs);
        }

        return 0;
    }

    private static async Task RunSizeAsync(int size, int runs)
    {
        // Reading and planning the config is part of every trigger; timed alone, it says how much is storing.
        var planning = new List<double>();
        for (var i = 0; i < runs + 1; i++)
        {
            var watch = Stopwatch.StartNew();
            var plan = ConfigReader.Read(".circleci/config.yml", Config(size));
            planning.Add(watch.Elapsed.TotalMilliseconds);
            if (!plan.IsValid)
            {
                throw new InvalidOperationException(string.Join("\n", plan.Errors));
            }
        }

        await using var server = await BenchServer.StartAsync(Config(size));

        // The earlier pipeline, whose job the readers ask for; its first job sleeps, the others wait for it, so the
        // runner stays idle and the figures are the trigger's alone.
        var earlier = await server.TriggerAsync();
        var jobId = earlier.Workflows[0].Jobs[^1].Id;
        await ReadLoopAsync(server.Client, jobId, TimeSpan.FromSeconds(1), CancellationToken.None);
        var baseline = await ReadLoopAsync(server.Client, jobId, TimeSpan.FromSeconds(3), CancellationToken.None);

        var triggers = new List<double>();
        var during = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            using var stop = new CancellationTokenSource();
            var readers = ReadLoopAsync(server.Client, jobId, Timeout.InfiniteTimeSpan, stop.Token);
            await Task.Delay(100);
            var watch = Stopwatch.StartNew();
            var pipeline = await server.TriggerAsync();
            var elapsed = watch.Elapsed.TotalMilliseconds;
            await Task.Delay(100);
            await stop.CancelAsync();
            var latencies = await readers;
            var jobs = pipeline.Workflows.Sum(w => w.Jobs.Count);
            triggers.Add(elapsed);
            during.AddRange(latencies);
            Console.WriteLine($"run {run}: {jobs} jobs triggered in {Stats.F(elapsed, 0)} ms; GET /api/jobs/{jobId} x{latencies.Count} meanwhile: {Describe(latencies)}");
        }

        Console.WriteLine($"big-pipeline {size} jobs: trigger median {Stats.F(Stats.Median(triggers), 0)} ms ({Stats.F(Stats.Median(triggers) / size, 2)} ms per job) over {runs} runs; of it, reading the config alone takes {Stats.F(Stats.Median(planning[1..]), 0)} ms");
        Console.WriteLine($"big-pipeline {size} jobs: GET /api/jobs/ID during triggers {Describe(during)} (target max <= 200 ms)");
        Console.WriteLine($"big-pipeline {size} jobs: GET /api/jobs/ID with nothing running {Describe(baseline)}");
        Console.WriteLine($"big-pipeline {size} jobs: ratio during/baseline: median {Stats.F(Stats.Median(during) / Stats.Median(baseline), 1)}x, p90 {Stats.F(P90(during) / P90(baseline), 1)}x, max {Stats.F(during.Max() / baseline.Max(), 1)}x");
    }

    /// <summary>One job that sleeps and <paramref name="size"/> − 1 that require it, all in one workflow.</summary>
    private static string Config(int size)
    {
        var config = new StringBuilder("version: 2.1\njobs:\n  gate:\n    steps:\n      - run: sleep 3600\n");
        var workflow = new StringBuilder("workflows:\n  main:\n    jobs:\n      - gate\n");
        for (var i = 2; i <= size; i++)
        {
            config.Append(CultureInfo.InvariantCulture, $"  job-{i:D5}:\n    parallelism: 2\n    steps:\n      - run: echo job {i} of {size} on node $CIRCLE_NODE_INDEX\n");
            workflow.Append(CultureInfo.InvariantCulture, $"      - job-{i:D5}:\n          requires: [gate]\n");
        }

        return config.Append(workflow).ToString();
    }

    /// <summary>Asks for the job one request after another until <paramref name="duration"/> has passed or <paramref name="ct"/> is canceled.</summary>
    private static async Task<List<double>> ReadLoopAsync(HttpClient client, long jobId, TimeSpan duration, CancellationToken ct)
    {
        var latencies = new List<double>();
        var total = Stopwatch.StartNew();
        while (!ct.IsCancellationRequested && (duration == Timeout.InfiniteTimeSpan || total.Elapsed < duration))
        {
            var watch = Stopwatch.StartNew();
            var job = await client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options, CancellationToken.None);
            latencies.Add(watch.Elapsed.TotalMilliseconds);
            if (job?.Id != jobId)
            {
                throw new InvalidOperationException($"GET /api/jobs/{jobId} answered another job");
            }
        }

        return latencies;
    }

    private static double P90(List<double> values) => values.Order().ElementAt((int)(values.Count * 0.9));

    private static string Describe(List<double> values) =>
        $"median {Stats.F(Stats.Median(values), 1)} ms, p90 {Stats.F(P90(values), 1)} ms, max {Stats.F(values.Max(), 1)} ms";
}
