using System.Globalization;

namespace Porthole.Bench;

/// <summary>
/// From the rerun request to the first successful <c>ssh … true</c> on the shell executor, median of 20, beside a bare
/// <c>ssh true</c> to an already running sshd in the same run (the floor). Targets: ≤ 1.5 s and ≤ 5× the floor.
/// </summary>
public static class SshReady
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        await using var bench = await SshBench.StartAsync();
        var ours = new List<double>();
        for (var run = 0; run < runs + 1; run++)
        {
            var (milliseconds, _, _) = await bench.RerunUntilSshAsync(bench.JobId);
            if (run > 0)
            {
                ours.Add(milliseconds);
            }

            await bench.EndAttemptAsync();
        }

        var floor = await BareSshd.MeasureTrueAsync(bench.Server.Root, bench.Key, bench.PublicLine, runs);
        var median = Stats.Median(ours);
        var floorMedian = Stats.Median(floor);
        Console.WriteLine($"ssh-ready: rerun request -> first successful ssh true, median of {runs}: {Stats.F(median, 0)} ms (min {Stats.F(ours.Min(), 0)}, max {Stats.F(ours.Max(), 0)}); target <= 1500 ms");
        Console.WriteLine($"ssh-ready: bare ssh true to a running sshd, median of {runs}: {Stats.F(floorMedian, 0)} ms; ratio {Stats.F(median / floorMedian, 1)}x (target <= 5x)");
        return 0;
    }
}
