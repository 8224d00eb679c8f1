using System.Globalization;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>Trigger → first step running, median of 50 (target ≤ 100 ms). Both instants come from the same clock.</summary>
public static class Pickup
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        await using var server = await BenchServer.StartAsync("version: 2\njobs:\n  build:\n    steps:\n      - run: echo hi\n");
        var pickups = new List<double>();
        for (var run = 0; run < runs + 1; run++)
        {
            var before = TimeProvider.System.GetUtcNow();
            var pipeline = await server.TriggerAsync();
            var job = await server.WaitForJobAsync(pipeline.Workflows[0].Jobs[0].Id, j => Status.IsFinished(j.Status));
            var started = job.Attempts[0].Nodes[0].Steps[0].StartedAt;
            if (run > 0)
            {
                pickups.Add((started - before).TotalMilliseconds);
            }
        }

        var sorted = pickups.Order().ToList();
        Console.WriteLine($"pickup: trigger -> first step running over {runs} pipelines: median {Stats.F(Stats.Median(pickups), 1)} ms, min {Stats.F(sorted[0], 1)} ms, p90 {Stats.F(sorted[(int)(sorted.Count * 0.9)], 1)} ms (target median <= 100 ms)");
        return 0;
    }
}
