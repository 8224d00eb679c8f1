using System.Globalization;
using System.Net.Http.Json;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>
/// bench/hold-ready (R-BEY-1, issue 15): a pipeline triggered with <c>hold_on_failure</c> whose step fails; from that
/// step's end (its recorded finish, by the server's clock on this machine) to the first successful <c>ssh … true</c> into
/// the held node, median of 10; beside a bare <c>ssh true</c> to an already running sshd in the same run. Target ≤ 1 s.
/// </summary>
public static class HoldReady
{
    private const string Config = "version: 2\njobs:\n  build:\n    steps:\n      - run:\n          name: fails\n          command: echo failing; exit 1\n";

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        await using var server = await BenchServer.StartAsync(Config, new Dictionary<string, string?> { ["Porthole:SshGracePeriod"] = "00:00:00" });
        var (key, publicLine) = SshTools.MakeKey(server.Root, "bench_key");
        (await server.Client.PostAsJsonAsync("/api/users/me/keys", new AddKeyRequest(publicLine, null), ApiJson.Options)).EnsureSuccessStatusCode();
        var knownHosts = Path.Combine(server.Root, "known_hosts");
        var ours = new List<double>();
        for (var run = 0; run < runs + 1; run++)
        {
            var response = await server.Client.PostAsJsonAsync(
                "/api/projects/bench/pipelines", new TriggerRequest("main", null) { HoldOnFailure = true }, ApiJson.Options);
            response.EnsureSuccessStatusCode();
            var jobId = (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!.Workflows[0].Jobs[0].Id;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var node = await SshEndpoint.WaitAsync(server, jobId, timeout.Token);
            await File.WriteAllTextAsync(knownHosts, $"[{node.Host}]:{node.Port} {node.HostKey}\n", timeout.Token);
            DateTimeOffset entered;
            while (true)
            {
                var (exitCode, _, _) = await SshTools.RunAsync(key, knownHosts, node.User!, node.Host!, node.Port!.Value, "true");
                if (exitCode == 0)
                {
                    entered = TimeProvider.System.GetUtcNow();
                    break;
                }

                await Task.Delay(5, timeout.Token);
            }

            var job = await server.WaitForJobAsync(jobId, j => j.Attempts[0].Nodes[0].Steps.Any(s => s.Name == "fails" && s.FinishedAt is not null));
            var failedAt = job.Attempts[0].Nodes[0].Steps.Single(s => s.Name == "fails").FinishedAt!.Value;
            if (run > 0)
            {
                ours.Add((entered - failedAt).TotalMilliseconds);
            }

            // With no grace the node ends as the session closes; a release makes sure of it.
            using (await server.Client.PostAsync($"/api/jobs/{jobId}/nodes/0/release", null))
            {
            }

            await server.WaitForJobAsync(jobId, j => Status.IsFinished(j.Attempts[0].Nodes[0].Status));
        }

        var floor = await BareSshd.MeasureTrueAsync(server.Root, key, publicLine, runs);
        var median = Stats.Median(ours);
        Console.WriteLine($"hold-ready: failing step's end -> first successful ssh true into the held node, median of {runs}: {Stats.F(median, 0)} ms (min {Stats.F(ours.Min(), 0)}, max {Stats.F(ours.Max(), 0)}); target <= 1000 ms");
        Console.WriteLine($"hold-ready: bare ssh true to a running sshd, median of {runs}: {Stats.F(Stats.Median(floor), 0)} ms; ratio {Stats.F(median / Stats.Median(floor), 1)}x");
        return 0;
    }
}
