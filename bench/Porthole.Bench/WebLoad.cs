using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Porthole.Bench;

/// <summary>
/// bench/web-load (issue 5): the job page and the log API under load from wrk, a second process on loopback, while
/// 20 live log streams (SSE) follow a running job; beside a trivial authenticated API call in the same run.
/// </summary>
public static partial class WebLoad
{
    private const int Streams = 20;

    private const string Config = """
        version: 2.1
        jobs:
          talk:
            steps:
              - run: for i in $(seq 1 100000); do echo "line $i of a long-running step, with some text to make it a realistic log line"; sleep 0.05; done
        workflows:
          main:
            jobs: [talk]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        await using var server = await BenchServer.StartAsync(Config);
        var pipeline = await server.TriggerAsync();
        var jobId = pipeline.Workflows[0].Jobs[0].Id;
        await server.WaitForJobAsync(jobId, j => j.Attempts[^1].Nodes[0].Steps.Any(s => s.Status == "running"));

        // 20 browsers following the job's live log.
        using var stopStreams = new CancellationTokenSource();
        long streamed = 0;
        var streams = Enumerable.Range(0, Streams).Select(_ => Task.Run(async () =>
        {
            try
            {
                using var response = await server.Client.GetAsync($"/api/jobs/{jobId}/log/stream", HttpCompletionOption.ResponseHeadersRead, stopStreams.Token);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(stopStreams.Token);
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await body.ReadAsync(buffer, stopStreams.Token)) > 0)
                {
                    Interlocked.Add(ref streamed, read);
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));

        var token = (await File.ReadAllTextAsync(Path.Combine(server.Root, "data", "admin-token"))).Trim();
        var script = Path.Combine(server.Root, "auth.lua");

        // The token goes to wrk through its environment, not its command line.
        await File.WriteAllTextAsync(script, "wrk.headers[\"Authorization\"] = \"token \" .. os.getenv(\"PORTHOLE_BENCH_TOKEN\")\n");
        var address = server.Client.BaseAddress!.ToString().TrimEnd('/');
        Console.WriteLine($"web-load: wrk -t2 -c16 -d{seconds}s per target, {Streams} live log streams (SSE) open on job {jobId}");
        Console.WriteLine($"{"target",-28} {"requests/s",12} {"p50 ms",9} {"p99 ms",9} {"non-2xx",8}");
        var results = new Dictionary<string, WrkResult>();
        foreach (var (name, path) in new[]
        {
            ("job page /jobs/ID", $"/jobs/{jobId}"),
            ("log API /api/jobs/ID/log", $"/api/jobs/{jobId}/log"),
            ("baseline /api/users/me", "/api/users/me"),
        })
        {
            var result = await WrkAsync(address + path, seconds, script, token);
            results[name] = result;
            Console.WriteLine($"{name,-28} {Stats.F(result.RequestsPerSecond, 0),12} {Stats.F(result.P50Ms),9} {Stats.F(result.P99Ms),9} {result.Non2xx,8}");
        }

        var baseline = results["baseline /api/users/me"].RequestsPerSecond;
        Console.WriteLine($"job page at {Stats.F(results["job page /jobs/ID"].RequestsPerSecond / baseline)}x, log API at {Stats.F(results["log API /api/jobs/ID/log"].RequestsPerSecond / baseline)}x the baseline's requests/s");
        Console.WriteLine($"the {Streams} streams received {Interlocked.Read(ref streamed) / 1024} KiB meanwhile");

        await stopStreams.CancelAsync();
        await Task.WhenAll(streams);
        await server.Client.PostAsync($"/api/jobs/{jobId}/cancel", null);
        await server.WaitForJobAsync(jobId, j => j.Status is "canceled" or "failed" or "success");
        return 0;
    }

    private static async Task<WrkResult> WrkAsync(string url, int seconds, string script, string token)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-t2", "-c16", $"-d{seconds}s", "--latency", "-s", script, url])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PORTHOLE_BENCH_TOKEN"] = token;
        using var wrk = Process.Start(start)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        var error = await wrk.StandardError.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed: {error}");
        }

        var non2xx = Non2xx().Match(output);
        return new WrkResult(
            double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            Milliseconds(Percentile().Matches(output).First(m => m.Groups[1].Value == "50")),
            Milliseconds(Percentile().Matches(output).First(m => m.Groups[1].Value == "99")),
            non2xx.Success ? int.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    private static double Milliseconds(Match match)
    {
        var value = double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        return match.Groups[3].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            _ => value * 60_000,
        };
    }

    private sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, int Non2xx);

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+(50|75|90|99)%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex Percentile();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();
}
