using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Porthole.Contracts.Api;

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
        await using var server = await BenchServer.StartAsync("version: 2\njobs:\n  build:\n    steps:\n      - run: echo hi\n");
        var (key, publicLine) = SshTools.MakeKey(server.Root, "bench_key");
        (await server.Client.PostAsJsonAsync("/api/users/me/keys", new AddKeyRequest(publicLine, null), ApiJson.Options)).EnsureSuccessStatusCode();
        var pipeline = await server.TriggerAsync();
        var jobId = pipeline.Workflows[0].Jobs[0].Id;
        await server.WaitForJobAsync(jobId, j => Status.IsFinished(j.Status));
        var knownHosts = Path.Combine(server.Root, "known_hosts");
        var user = Environment.UserName;

        var ours = new List<double>();
        for (var run = 0; run < runs + 1; run++)
        {
            var watch = Stopwatch.StartNew();
            (await server.Client.PostAsJsonAsync($"/api/jobs/{jobId}/rerun", new RerunRequest(null, true), ApiJson.Options)).EnsureSuccessStatusCode();
            SshNodeView node;
            while (true)
            {
                var view = (await server.Client.GetFromJsonAsync<JobSshView>($"/api/jobs/{jobId}/ssh", ApiJson.Options))!;
                if (view.Nodes is [{ Port: not null } ready])
                {
                    node = ready;
                    break;
                }

                await Task.Delay(5);
            }

            await File.WriteAllTextAsync(knownHosts, $"[{node.Host}]:{node.Port} {node.HostKey}\n");
            while (!await SshTools.TrueAsync(key, knownHosts, node.User!, node.Host!, node.Port!.Value))
            {
                await Task.Delay(5);
            }

            var elapsed = watch.Elapsed.TotalMilliseconds;
            if (run > 0)
            {
                ours.Add(elapsed);
            }

            (await server.Client.PostAsync($"/api/jobs/{jobId}/cancel", null)).EnsureSuccessStatusCode();
            await server.WaitForJobAsync(jobId, j => Status.IsFinished(j.Attempts[^1].Status));
        }

        var floor = new List<double>();
        await using (var bare = await BareSshd.StartAsync(server.Root, publicLine))
        {
            var bareKnownHosts = Path.Combine(server.Root, "bare_known_hosts");
            await File.WriteAllTextAsync(bareKnownHosts, $"[127.0.0.1]:{bare.Port} {bare.HostKeyLine}\n");
            for (var run = 0; run < runs + 1; run++)
            {
                var watch = Stopwatch.StartNew();
                if (!await SshTools.TrueAsync(key, bareKnownHosts, user, "127.0.0.1", bare.Port))
                {
                    throw new InvalidOperationException("ssh to the bare sshd failed");
                }

                if (run > 0)
                {
                    floor.Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }

        var median = Stats.Median(ours);
        var floorMedian = Stats.Median(floor);
        Console.WriteLine($"ssh-ready: rerun request -> first successful ssh true, median of {runs}: {Stats.F(median, 0)} ms (min {Stats.F(ours.Min(), 0)}, max {Stats.F(ours.Max(), 0)}); target <= 1500 ms");
        Console.WriteLine($"ssh-ready: bare ssh true to a running sshd, median of {runs}: {Stats.F(floorMedian, 0)} ms; ratio {Stats.F(median / floorMedian, 1)}x (target <= 5x)");
        return 0;
    }
}
