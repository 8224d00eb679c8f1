using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>
/// The echo round trip of one keystroke through the debug session (ssh → sshd → tmux → bash and back), against the same
/// through a plain sshd + bash in the same run. Target ≤ 1.3× the plain figure (median).
/// </summary>
public static class Keystroke
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        await using var bench = await SshBench.StartAsync();
        (await bench.Server.Client.PostAsync($"/job/{bench.JobId}/debug", JsonContent.Create(new { quiet = true }))).EnsureSuccessStatusCode();
        var node = await bench.WaitForNodeAsync();
        var (key, knownHosts, publicLine, root) = (bench.Key, bench.KnownHosts, bench.PublicLine, bench.Server.Root);
        double debug;
        await using (var terminal = Terminal.Open(key, knownHosts, node.User!, node.Host!, node.Port!.Value))
        {
            debug = await MeasureAsync(terminal, count);
        }

        await bench.EndAttemptAsync();

        double plain;
        await using (var bare = await BareSshd.StartAsync(root, publicLine))
        {
            var bareKnownHosts = Path.Combine(root, "bare_known_hosts");
            await File.WriteAllTextAsync(bareKnownHosts, $"[127.0.0.1]:{bare.Port} {bare.HostKeyLine}\n");
            await using var terminal = Terminal.Open(key, bareKnownHosts, Environment.UserName, "127.0.0.1", bare.Port, "bash", "--norc", "-i");
            plain = await MeasureAsync(terminal, count);
        }

        Console.WriteLine($"keystroke: echo round trip through the debug session (ssh, sshd, tmux, bash), median of {count}: {Stats.F(debug, 2)} ms");
        Console.WriteLine($"keystroke: through a plain sshd + bash, median of {count}: {Stats.F(plain, 2)} ms; ratio {Stats.F(debug / plain)}x (target <= 1.3x)");
        return 0;
    }

    private static async Task<double> MeasureAsync(Terminal terminal, int count)
    {
        await terminal.TypeAsync("echo READY-$((40+2))\r");
        await terminal.WaitForAsync("READY-42");
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            // A backtick: no prompt, status line or erase sequence contains one, so its echo is unmistakable.
            var from = terminal.Length;
            var watch = Stopwatch.StartNew();
            await terminal.TypeAsync("`");
            await terminal.WaitForAsync("`", from);
            times.Add(watch.Elapsed.TotalMilliseconds);
            var beforeErase = terminal.Length;
            await terminal.TypeAsync("\u007f");
            await terminal.WaitForMoreAsync(beforeErase);

            // Let the redraw of the erase finish before the next keystroke; not part of the measurement.
            await Task.Delay(20);
        }

        return Stats.Median(times);
    }
}
