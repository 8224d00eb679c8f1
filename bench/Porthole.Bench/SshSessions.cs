using System.Diagnostics;
using System.Globalization;

namespace Porthole.Bench;

/// <summary>
/// 100 concurrent idle interactive sessions on one node: the time for all of them to connect, and the memory per
/// session beyond OpenSSH's own (proportional set size of the session shells, beside that of sshd's processes).
/// </summary>
public static class SshSessions
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        await using var bench = await SshBench.StartAsync();
        var node = await bench.RerunWithSshAsync(bench.JobId);
        var (key, knownHosts) = (bench.Key, bench.KnownHosts);
        var (sshdBefore, _) = Memory.Measure();

        var sessions = new List<Process>();
        var watch = Stopwatch.StartNew();
        try
        {
            var ready = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                var start = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var argument in (string[])[.. SshTools.ClientOptions(key, knownHosts, node.Port!.Value), "-tt", $"{node.User}@{node.Host}"])
                {
                    start.ArgumentList.Add(argument);
                }

                var process = Process.Start(start)!;
                sessions.Add(process);
                _ = process.StandardError.ReadToEndAsync();
                var marker = $"ready-{i}-ok";
                await process.StandardInput.WriteLineAsync($"echo ready-{i}-$((1))k | sed s/1k/ok/");
                await process.StandardInput.FlushAsync();
                ready.Add(WaitForAsync(process.StandardOutput, marker));
            }

            await Task.WhenAll(ready).WaitAsync(TimeSpan.FromMinutes(3));
            var connected = watch.Elapsed.TotalMilliseconds;
            var (sshdAfter, shells) = Memory.Measure();
            Console.WriteLine($"ssh-sessions: {count} concurrent interactive sessions on one node connected in {Stats.F(connected, 0)} ms ({Stats.F(connected / count, 1)} ms each on average)");
            Console.WriteLine($"ssh-sessions: memory per session beyond OpenSSH's own: {Stats.F(shells / count / 1024.0, 0)} KiB (PSS of the session shells); OpenSSH's own: {Stats.F((sshdAfter - sshdBefore) / count / 1024.0, 0)} KiB per session (PSS of sshd's processes)");
        }
        finally
        {
            foreach (var process in sessions)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                await process.WaitForExitAsync();
                process.Dispose();
            }

            await bench.EndAttemptAsync();
        }

        return 0;
    }

    private static async Task WaitForAsync(StreamReader output, string marker)
    {
        while (await output.ReadLineAsync() is { } line)
        {
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                return;
            }
        }

        throw new InvalidOperationException($"a session closed before printing {marker}");
    }
}

/// <summary>Proportional set sizes (bytes) of sshd's processes and of processes inside SSH sessions, from /proc.</summary>
public static class Memory
{
    public static (long Sshd, long SessionShells) Measure()
    {
        long sshd = 0;
        long shells = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out _))
            {
                continue;
            }

            try
            {
                var comm = File.ReadAllText(Path.Combine(directory, "comm")).Trim();
                var pss = Pss(directory);
                if (comm == "sshd")
                {
                    sshd += pss;
                }
                else if (File.ReadAllText(Path.Combine(directory, "environ")).Contains("SSH_CONNECTION=", StringComparison.Ordinal))
                {
                    shells += pss;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return (sshd, shells);
    }

    private static long Pss(string directory)
    {
        foreach (var line in File.ReadLines(Path.Combine(directory, "smaps_rollup")))
        {
            if (line.StartsWith("Pss:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
