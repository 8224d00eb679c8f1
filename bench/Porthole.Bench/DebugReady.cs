using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace Porthole.Bench;

/// <summary>
/// From <c>POST /job/{id}/debug</c> to a prompt in the shared session (a command typed there answers), median of 20,
/// beside a bare <c>ssh true</c> to a running sshd (the floor of bench/ssh-ready). Target ≤ 2 s.
/// </summary>
public static class DebugReady
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        await using var bench = await SshBench.StartAsync();
        var ours = new List<double>();
        for (var run = 0; run < runs + 1; run++)
        {
            var watch = Stopwatch.StartNew();
            (await bench.Server.Client.PostAsync($"/job/{bench.JobId}/debug", JsonContent.Create(new { quiet = true }))).EnsureSuccessStatusCode();
            var node = await bench.WaitForNodeAsync();
            await using (var terminal = Terminal.Open(bench.Key, bench.KnownHosts, node.User!, node.Host!, node.Port!.Value))
            {
                await terminal.TypeAsync("echo READY-$((40+2))\r");
                await terminal.WaitForAsync("READY-42");
                if (run > 0)
                {
                    ours.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            await bench.EndAttemptAsync();
        }

        var floor = await BareSshd.MeasureTrueAsync(bench.Server.Root, bench.Key, bench.PublicLine, runs);
        var median = Stats.Median(ours);
        Console.WriteLine($"debug-ready: POST /job/ID/debug -> a command answered in the shared session, median of {runs}: {Stats.F(median, 0)} ms (min {Stats.F(ours.Min(), 0)}, max {Stats.F(ours.Max(), 0)}); target <= 2000 ms");
        Console.WriteLine($"debug-ready: floor (bare ssh true to a running sshd), median of {runs}: {Stats.F(Stats.Median(floor), 0)} ms; ratio {Stats.F(median / Stats.Median(floor), 1)}x");
        return 0;
    }
}
