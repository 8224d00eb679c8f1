using System.Diagnostics;
using System.Globalization;
using System.Text;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>
/// A job of 200 trivial run steps against one bash script running the same 200 commands:
/// the time each step adds (target ≤ 10 ms, median).
/// </summary>
public static class StepOverhead
{
    private const int Steps = 200;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var config = new StringBuilder("version: 2\njobs:\n  build:\n    steps:\n");
        var script = new StringBuilder();
        for (var i = 1; i <= Steps; i++)
        {
            config.Append(CultureInfo.InvariantCulture, $"      - run: echo step {i}\n");
            script.Append(CultureInfo.InvariantCulture, $"echo step {i}\n");
        }

        await using var server = await BenchServer.StartAsync(config.ToString());
        var scriptPath = Path.Combine(server.Root, "steps.sh");
        await File.WriteAllTextAsync(scriptPath, script.ToString());

        var jobTimes = new List<double>();
        var bashTimes = new List<double>();
        for (var run = 0; run < runs + 1; run++)
        {
            var pipeline = await server.TriggerAsync();
            var job = await server.WaitForJobAsync(pipeline.Workflows[0].Jobs[0].Id, j => Status.IsFinished(j.Status));
            var steps = job.Attempts[0].Nodes[0].Steps;
            var elapsed = (steps[^1].FinishedAt!.Value - steps[0].StartedAt).TotalMilliseconds;

            var watch = Stopwatch.StartNew();
            using (var bash = Process.Start(new ProcessStartInfo("/bin/bash") { ArgumentList = { "-eo", "pipefail", scriptPath }, RedirectStandardOutput = true })!)
            {
                await bash.StandardOutput.ReadToEndAsync();
                await bash.WaitForExitAsync();
            }

            // The first run warms up the server and the page cache; it is not counted.
            if (run > 0)
            {
                jobTimes.Add(elapsed);
                bashTimes.Add(watch.Elapsed.TotalMilliseconds);
                Console.WriteLine($"run {run}: job of {Steps} steps {Stats.F(elapsed, 0)} ms, one bash script {Stats.F(watch.Elapsed.TotalMilliseconds, 1)} ms, status {job.Status}");
            }
        }

        var jobMedian = Stats.Median(jobTimes);
        var bashMedian = Stats.Median(bashTimes);
        var perStep = (jobMedian - bashMedian) / Steps;
        Console.WriteLine($"step-overhead: median job {Stats.F(jobMedian, 0)} ms vs bash script {Stats.F(bashMedian, 1)} ms over {runs} runs");
        Console.WriteLine($"step-overhead: added per step {Stats.F(perStep)} ms (target <= 10 ms); ratio job/bash {Stats.F(jobMedian / bashMedian, 1)}x");
        return 0;
    }
}
