using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Bench;

/// <summary>
/// Issue 14's failover figure: a remote runner (the real <c>porthole runner</c> process) is killed with SIGKILL while
/// its job's step runs; the time from the kill to the job recorded <c>infrastructure_fail</c> by the server (default
/// settings: a 45 s lease, swept every 5 s). Median of 5 (target ≤ 60 s).
/// </summary>
public static class Failover
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var root = Directory.CreateTempSubdirectory("porthole-bench-failover-").FullName;
        try
        {
            var repository = BenchRepository.Create(Path.Combine(root, "repository"), "version: 2\njobs:\n  build:\n    steps:\n      - run: echo started; sleep 600\n");
            var data = Path.Combine(root, "data");
            await using var server = ServerProcess.Start(data, "--no-builtin-runner");
            await server.ReadyAsync();
            using var client = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromMinutes(5) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim());
            (await client.PostAsJsonAsync("/api/projects", new CreateProjectRequest("bench", repository, null), ApiJson.Options)).EnsureSuccessStatusCode();
            var created = await client.PostAsJsonAsync("/api/runner-tokens", new CreateRunnerTokenRequest("doomed"), ApiJson.Options);
            created.EnsureSuccessStatusCode();
            var token = (await created.Content.ReadFromJsonAsync<CreatedRunnerToken>(ApiJson.Options))!.Token;

            var figures = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                // One data folder for every run: each runner's start ends what the killed one before it left running.
                await using var runner = RunnerProcess.Start(server.Url, token, Path.Combine(root, "runner"));
                if (!await runner.WaitForPrintedAsync("registered"))
                {
                    throw new InvalidOperationException($"the runner did not register:\n{runner.Printed}");
                }

                var response = await client.PostAsJsonAsync("/api/projects/bench/pipelines", new TriggerRequest("main", null), ApiJson.Options);
                response.EnsureSuccessStatusCode();
                var jobId = (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!.Workflows[0].Jobs[0].Id;
                await WaitAsync(client, jobId, j => j.Attempts[^1].Nodes[0].Steps.Any(s => s.Name.Contains("sleep", StringComparison.Ordinal) && s.Status == Status.Running));

                runner.Kill();
                var killed = TimeProvider.System.GetTimestamp();
                var job = await WaitAsync(client, jobId, j => Status.IsFinished(j.Status));
                var seconds = TimeProvider.System.GetElapsedTime(killed).TotalSeconds;
                if (job.Status != Status.InfrastructureFail)
                {
                    throw new InvalidOperationException($"the job ended {job.Status}, not infrastructure_fail");
                }

                figures.Add(seconds);
                Console.WriteLine($"  run {run + 1}: {Stats.F(seconds, 1)} s ({job.Attempts[^1].Nodes[0].Message})");
            }

            // The last killed runner's leftovers (its step's processes) are ended by one more start of a runner.
            await using (var cleaner = RunnerProcess.Start(server.Url, token, Path.Combine(root, "runner")))
            {
                await cleaner.WaitForPrintedAsync("registered");
            }

            var sorted = figures.Order().ToList();
            Console.WriteLine($"failover: SIGKILL of a runner mid-job -> infrastructure_fail recorded, over {runs} runs: median {Stats.F(Stats.Median(figures), 1)} s, min {Stats.F(sorted[0], 1)} s, max {Stats.F(sorted[^1], 1)} s (target <= 60 s)");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<JobView> WaitAsync(HttpClient client, long jobId, Func<JobView, bool> until)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var job = (await client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!;
            if (until(job))
            {
                return job;
            }

            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"job {jobId} is still {job.Status} after 5 minutes");
            }

            await Task.Delay(50);
        }
    }
}
