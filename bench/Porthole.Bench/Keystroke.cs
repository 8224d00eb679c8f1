using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>
/// The echo round trip of one keystroke through the debug session (ssh → sshd → tmux → bash and back), against two floors
/// in the same run: a plain sshd + bash, and a plain sshd + real tmux (<c>tmux attach</c> to a bash in a tmux server the
/// benchmark starts). And the recorders' cost (R-BEY-2): an SSH rerun's session, recorded as every SSH session is by
/// default (util-linux <c>script</c> in front of the login shell), beside one of a project that turned recording off;
/// and the debug session (recorded by the runner's tmux control client) beside a debug session that is not recorded.
/// Targets (medians): ≤ 1.3× the plain figure, ≤ 1.1× the tmux one, recorded ≤ 1.1× not recorded.
/// </summary>
/// <remarks>
/// The six terminals are open at once, while both debug runs and both reruns are live, and take turns keystroke by
/// keystroke (which goes first rotates), after the same warm-up: the figures see the same machine, the same background
/// (the server and its nodes) and the same state of this process's own code, so that their ratios are the recorder's,
/// tmux's and ours, and nothing else's.
/// </remarks>
public static class Keystroke
{
    /// <summary>Keystrokes typed into each terminal before the measured ones, and not counted: the same for all.</summary>
    private const int WarmUp = 20;

    /// <summary>Rerun with SSH while the project records sessions.</summary>
    private const string RecordedJob = "recorded";

    /// <summary>Rerun with SSH once the project turned recording off.</summary>
    private const string UnrecordedJob = "unrecorded";

    /// <summary>Debugged once the project turned recording off.</summary>
    private const string UnrecordedDebugJob = "unrecorded-debug";

    private const string Config =
        $"version: 2\njobs:\n  {SshBench.ShellJob}:\n    steps:\n      - run: echo hi\n  {RecordedJob}:\n    steps:\n      - run: echo hi\n"
        + $"  {UnrecordedJob}:\n    steps:\n      - run: echo hi\n  {UnrecordedDebugJob}:\n    steps:\n      - run: echo hi\n"
        + $"workflows:\n  version: 2\n  all:\n    jobs:\n      - {SshBench.ShellJob}\n      - {RecordedJob}\n      - {UnrecordedJob}\n      - {UnrecordedDebugJob}\n";

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        await using var bench = await SshBench.StartAsync(Config);
        var root = bench.Server.Root;
        (await bench.Server.Client.PostAsync($"/job/{bench.JobId}/debug", JsonContent.Create(new { quiet = true }))).EnsureSuccessStatusCode();
        var node = await bench.WaitForNodeAsync();
        var debugKnownHosts = KeepKnownHosts(bench, "debug_known_hosts");

        // The project's setting is read when a node is leased: the first rerun is recorded, the second is not.
        var recordedJob = bench.JobIdOf(RecordedJob);
        var recorded = await bench.RerunWithSshAsync(recordedJob);
        var recordedKnownHosts = KeepKnownHosts(bench, "recorded_known_hosts");
        (await bench.Server.Client.PutAsync("/api/projects/bench/settings", JsonContent.Create(new { session_recording = false }))).EnsureSuccessStatusCode();
        var unrecordedJob = bench.JobIdOf(UnrecordedJob);
        var unrecorded = await bench.RerunWithSshAsync(unrecordedJob);
        var unrecordedKnownHosts = KeepKnownHosts(bench, "unrecorded_known_hosts");
        var unrecordedDebugJob = bench.JobIdOf(UnrecordedDebugJob);
        (await bench.Server.Client.PostAsync($"/job/{unrecordedDebugJob}/debug", JsonContent.Create(new { quiet = true }))).EnsureSuccessStatusCode();
        var unrecordedDebug = await bench.WaitForNodeAsync(unrecordedDebugJob);
        var figures = Enumerable.Range(0, 6).Select(_ => new List<double>()).ToArray();
        await using (var bare = await BareSshd.StartAsync(root, bench.PublicLine))
        await using (var tmux = await TmuxServer.StartAsync())
        {
            var bareKnownHosts = Path.Combine(root, "bare_known_hosts");
            await File.WriteAllTextAsync(bareKnownHosts, $"[127.0.0.1]:{bare.Port} {bare.HostKeyLine}\n");
            await using var debugTerminal = Terminal.Open(bench.Key, debugKnownHosts, node.User!, node.Host!, node.Port!.Value);
            await using var plainTerminal = Terminal.Open(bench.Key, bareKnownHosts, Environment.UserName, "127.0.0.1", bare.Port, "bash", "--norc", "-i");
            await using var tmuxTerminal = Terminal.Open(bench.Key, bareKnownHosts, Environment.UserName, "127.0.0.1", bare.Port, tmux.AttachCommand);
            await using var recordedTerminal = Terminal.Open(bench.Key, recordedKnownHosts, recorded.User!, recorded.Host!, recorded.Port!.Value);
            await using var unrecordedTerminal = Terminal.Open(bench.Key, unrecordedKnownHosts, unrecorded.User!, unrecorded.Host!, unrecorded.Port!.Value);
            await using var unrecordedDebugTerminal = Terminal.Open(bench.Key, bench.KnownHosts, unrecordedDebug.User!, unrecordedDebug.Host!, unrecordedDebug.Port!.Value);
            Terminal[] terminals = [debugTerminal, plainTerminal, tmuxTerminal, recordedTerminal, unrecordedTerminal, unrecordedDebugTerminal];
            foreach (var terminal in terminals)
            {
                await ReadyAsync(terminal);
            }

            for (var i = 0; i < WarmUp; i++)
            {
                foreach (var terminal in terminals)
                {
                    await TypeOneAsync(terminal);
                }
            }

            for (var i = 0; i < count; i++)
            {
                for (var turn = 0; turn < terminals.Length; turn++)
                {
                    var which = (i + turn) % terminals.Length;
                    figures[which].Add(await TypeOneAsync(terminals[which]));
                }
            }
        }

        await bench.EndAttemptAsync();
        await bench.EndAttemptAsync(recordedJob);
        await bench.EndAttemptAsync(unrecordedJob);
        await bench.EndAttemptAsync(unrecordedDebugJob);

        var (debugMedian, plainMedian, tmuxMedian) = (Stats.Median(figures[0]), Stats.Median(figures[1]), Stats.Median(figures[2]));
        var (recordedMedian, unrecordedMedian) = (Stats.Median(figures[3]), Stats.Median(figures[4]));
        var unrecordedDebugMedian = Stats.Median(figures[5]);
        Console.WriteLine($"keystroke: echo round trip through the debug session (ssh, sshd, tmux, bash; recorded), median of {count}: {Stats.F(debugMedian, 3)} ms");
        Console.WriteLine($"keystroke: through a plain sshd + bash, median of {count}: {Stats.F(plainMedian, 3)} ms; ratio {Stats.F(debugMedian / plainMedian)}x (target <= 1.3x)");
        Console.WriteLine($"keystroke: through a plain sshd + tmux attach, median of {count}: {Stats.F(tmuxMedian, 3)} ms; ratio {Stats.F(debugMedian / tmuxMedian)}x (target <= 1.1x)");
        Console.WriteLine($"keystroke: through an SSH rerun's session, recorded (ssh, sshd, script, bash), median of {count}: {Stats.F(recordedMedian, 3)} ms");
        Console.WriteLine($"keystroke: through an SSH rerun's session, not recorded (session_recording off), median of {count}: {Stats.F(unrecordedMedian, 3)} ms; recording overhead {Stats.F(recordedMedian / unrecordedMedian)}x (target <= 1.1x)");
        Console.WriteLine($"keystroke: through a debug session that is not recorded (session_recording off), median of {count}: {Stats.F(unrecordedDebugMedian, 3)} ms; debug recording overhead {Stats.F(debugMedian / unrecordedDebugMedian)}x (target <= 1.1x)");
        return 0;
    }

    /// <summary>A copy of the known_hosts the bench just pinned a node's key in (the next node's pin replaces it).</summary>
    private static string KeepKnownHosts(SshBench bench, string name)
    {
        var path = Path.Combine(bench.Server.Root, name);
        File.Copy(bench.KnownHosts, path);
        return path;
    }

    private static async Task ReadyAsync(Terminal terminal)
    {
        await terminal.TypeAsync("echo READY-$((40+2))\r");
        await terminal.WaitForAsync("READY-42");
    }

    /// <summary>Types one keystroke and returns its echo round trip in milliseconds; then erases it, unmeasured.</summary>
    private static async Task<double> TypeOneAsync(Terminal terminal)
    {
        // A backtick: no prompt, status line or erase sequence contains one, so its echo is unmistakable.
        var from = terminal.Length;
        var watch = Stopwatch.StartNew();
        await terminal.TypeAsync("`");
        await terminal.WaitForAsync("`", from);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        var beforeErase = terminal.Length;
        await terminal.TypeAsync("\u007f");
        await terminal.WaitForMoreAsync(beforeErase);

        // Let the redraw of the erase finish before the next keystroke; not part of the measurement.
        await Task.Delay(20);
        return elapsed;
    }
}
