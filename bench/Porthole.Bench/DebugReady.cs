using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Porthole.Contracts.Api;

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
        await using var server = await BenchServer.StartAsync("version: 2\njobs:\n  build:\n    steps:\n      - run: echo hi\n");
        var (key, publicLine) = SshTools.MakeKey(server.Root, "bench_key");
        (await server.Client.PostAsJsonAsync("/api/users/me/keys", new AddKeyRequest(publicLine, null), ApiJson.Options)).EnsureSuccessStatusCode();
        var pipeline = await server.TriggerAsync();
        var jobId = pipeline.Workflows[0].Jobs[0].Id;
        await server.WaitForJobAsync(jobId, j => Status.IsFinished(j.Status));
        var knownHosts = Path.Combine(server.Root, "known_hosts");

        var ours = new List<double>();
        for (var run = 0; run < runs + 1; run++)
        {
            var watch = Stopwatch.StartNew();
            (await server.Client.PostAsync($"/job/{jobId}/debug", JsonContent.Create(new { quiet = true }))).EnsureSuccessStatusCode();
            var node = await SshEndpoint.WaitAsync(server, jobId);
            await File.WriteAllTextAsync(knownHosts, $"[{node.Host}]:{node.Port} {node.HostKey}\n");
            await using (var terminal = Terminal.Open(key, knownHosts, node.User!, node.Host!, node.Port!.Value))
            {
                await terminal.TypeAsync("echo READY-$((40+2))\r");
                await terminal.WaitForAsync("READY-42");
                if (run > 0)
                {
                    ours.Add(watch.Elapsed.TotalMilliseconds);
                }
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
                await SshTools.TrueAsync(key, bareKnownHosts, Environment.UserName, "127.0.0.1", bare.Port);
                if (run > 0)
                {
                    floor.Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }

        var median = Stats.Median(ours);
        Console.WriteLine($"debug-ready: POST /job/ID/debug -> a command answered in the shared session, median of {runs}: {Stats.F(median, 0)} ms (min {Stats.F(ours.Min(), 0)}, max {Stats.F(ours.Max(), 0)}); target <= 2000 ms");
        Console.WriteLine($"debug-ready: floor (bare ssh true to a running sshd), median of {runs}: {Stats.F(Stats.Median(floor), 0)} ms; ratio {Stats.F(median / Stats.Median(floor), 1)}x");
        return 0;
    }
}

/// <summary>Waits until the job's latest SSH or debug attempt has its node 0 endpoint up.</summary>
public static class SshEndpoint
{
    public static async Task<SshNodeView> WaitAsync(BenchServer server, long jobId)
    {
        while (true)
        {
            var response = await server.Client.GetAsync($"/api/jobs/{jobId}/ssh");
            if (response.IsSuccessStatusCode)
            {
                var view = (await response.Content.ReadFromJsonAsync<JobSshView>(ApiJson.Options))!;
                if (view.Nodes is [{ Port: not null } ready, ..] && view.Nodes[0].Status == Status.Running)
                {
                    return ready;
                }
            }

            await Task.Delay(5);
        }
    }
}
