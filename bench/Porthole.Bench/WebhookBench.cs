using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>
/// A signed GitHub push (a new commit each time) → the first step of its pipeline running, median and p90 of 30 (target
/// median ≤ 150 ms). The push is posted as GitHub posts it: no token, <c>X-Hub-Signature-256</c> made here with the
/// project's hook secret. Baseline, turn about with the pushes: <c>POST /pipelines</c> of a new commit likewise (bench/pickup's
/// measure, with a fetch that brings something), so a busy machine shows in both. Both instants come from the same clock.
/// </summary>
public static class WebhookBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        await using var server = await BenchServer.StartAsync("version: 2.1\njobs:\n  build:\n    steps:\n      - checkout\n      - run: echo hi\nworkflows:\n  main:\n    jobs: [build]\n");
        var repository = Path.Combine(server.Root, "repository");
        var made = await server.Client.PostAsJsonAsync("/api/projects/bench/hook", new CreateHookRequest(false), ApiJson.Options);
        made.EnsureSuccessStatusCode();
        var hook = (await made.Content.ReadFromJsonAsync<HookView>(ApiJson.Options))!;
        using var github = new HttpClient { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };

        var latencies = new List<double>();
        var answers = new List<double>();
        var baseline = new List<double>();
        var baselineAnswers = new List<double>();
        for (var run = 0; run < runs + 1; run++)
        {
            var commit = Commit(repository, run);
            var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                @ref = "refs/heads/main",
                after = commit,
                deleted = false,
                repository = new { full_name = "bench/repository", clone_url = repository },
            }));
            using var request = new HttpRequestMessage(HttpMethod.Post, hook.Path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-GitHub-Event", "push");
            request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
            request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(hook.Secret!), body)));

            var before = TimeProvider.System.GetUtcNow();
            using var response = await github.SendAsync(request);
            var answered = TimeProvider.System.GetUtcNow();
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"webhook: the push answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                return 1;
            }

            var delivery = (await response.Content.ReadFromJsonAsync<HookDeliveryView>(ApiJson.Options))!;
            var pipeline = (await server.Client.GetFromJsonAsync<PipelineView>($"/api/pipelines/{delivery.PipelineId}", ApiJson.Options))!;
            var job = await server.WaitForJobAsync(pipeline.Workflows[0].Jobs[0].Id, j => Status.IsFinished(j.Status));
            if (job.Status != Status.Success)
            {
                Console.Error.WriteLine(await server.DescribeAsync(job));
                return 1;
            }

            if (run > 0)
            {
                latencies.Add((job.Attempts[0].Nodes[0].Steps[0].StartedAt - before).TotalMilliseconds);
                answers.Add((answered - before).TotalMilliseconds);
            }

            Commit(repository, -run - 1);
            before = TimeProvider.System.GetUtcNow();
            var triggered = await server.TriggerAsync();
            answered = TimeProvider.System.GetUtcNow();
            var apiJob = await server.WaitForJobAsync(triggered.Workflows[0].Jobs[0].Id, j => Status.IsFinished(j.Status));
            if (run > 0)
            {
                baseline.Add((apiJob.Attempts[0].Nodes[0].Steps[0].StartedAt - before).TotalMilliseconds);
                baselineAnswers.Add((answered - before).TotalMilliseconds);
            }
        }

        var sorted = latencies.Order().ToList();
        var median = Stats.Median(latencies);
        Console.WriteLine(
            $"webhook: signed push -> first step running over {runs} pushes: median {Stats.F(median, 1)} ms, min {Stats.F(sorted[0], 1)} ms, "
            + $"p90 {Stats.F(sorted[(int)(sorted.Count * 0.9)], 1)} ms, max {Stats.F(sorted[^1], 1)} ms (target median <= 150 ms: {(median <= 150 ? "met" : "NOT met")}); "
            + $"the POST answered (pipeline stored) after a median {Stats.F(Stats.Median(answers), 1)} ms");
        var api = baseline.Order().ToList();
        Console.WriteLine(
            $"baseline: POST /pipelines -> first step running, in turn with the pushes: median {Stats.F(Stats.Median(baseline), 1)} ms, "
            + $"p90 {Stats.F(api[(int)(api.Count * 0.9)], 1)} ms; the POST answered after a median {Stats.F(Stats.Median(baselineAnswers), 1)} ms");
        return 0;
    }

    /// <summary>A new commit on main, as a push brings; returns its id.</summary>
    private static string Commit(string repository, int run)
    {
        File.WriteAllText(Path.Combine(repository, "push.txt"), run.ToString(CultureInfo.InvariantCulture));
        Git(repository, "add", "push.txt");
        Git(repository, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "--quiet", "-m", $"push {run}");
        return Git(repository, "rev-parse", "HEAD").Trim();
    }

    private static string Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed");
    }
}
