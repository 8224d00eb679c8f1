using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Runners;

/// <summary>
/// Issue 14's faults, with real processes killed by their ids (SIGKILL): the server killed mid-job and started again
/// (the job goes on, and the stored log is byte for byte what the step printed); a runner killed mid-job (its node ends
/// infrastructure_fail, naming it); a runner whose disk is full (its node fails with the reason, the server is fine).
/// </summary>
public sealed partial class RunnerFaultTests : IAsyncLifetime
{
    private readonly TempFolder _root = new();
    private readonly List<IAsyncDisposable> _processes = [];
    private readonly List<IDisposable> _disposables = [];

    private string Data => Path.Combine(_root.Path, "data");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].DisposeAsync();
        }

        _disposables.ForEach(d => d.Dispose());
        _root.Dispose();
    }

    [Fact]
    public async Task The_server_killed_mid_job_and_started_again_the_job_goes_on_and_its_log_is_what_the_step_printed()
    {
        var port = FreePort.Pick();
        var server = await StartServerAsync(port);
        var admin = await AdminAsync(server);
        var runner = await StartRunnerAsync(server, admin, "steady", "runner");
        var jobId = await TriggerAsync(admin, "app", "language: shell\nscript: for i in $(seq 1 60); do echo \"line-$i of the step\"; sleep 0.1; done\n");
        await WaitAsync(() => LogAsync(admin, jobId), log => log.Contains("line-8 of", StringComparison.Ordinal), "the step's first lines");

        await server.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        server = await StartServerAsync(port);
        using var again = await AdminAsync(server);

        var job = await WaitForJobAsync(again, jobId, TimeSpan.FromSeconds(90));
        Assert.True(job.Status == Status.Success, $"the job ended {job.Status} ({job.Attempts[^1].Nodes[0].Message})\n{runner.Printed}");
        var stored = (await LogAsync(again, jobId)).ReplaceLineEndings("\n");
        var printed = string.Concat(Enumerable.Range(1, 60).Select(i => $"line-{i} of the step\n"));
        var at = stored.IndexOf(printed, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the stored log does not hold what the step printed, in order and once:\n{stored}");
        Assert.Equal(60, StepLine().Matches(stored).Count);
    }

    [Fact]
    public async Task A_runner_killed_mid_job_has_its_node_end_infrastructure_fail_naming_it_and_the_next_start_ends_what_it_left()
    {
        var server = await StartServerAsync(FreePort.Pick(), new Dictionary<string, string> { ["Porthole:LeaseDuration"] = "00:00:03" });
        var admin = await AdminAsync(server);
        var token = await RunnerTokenAsync(admin, "doomed");
        var runner = await StartRunnerAsync(server, token, "runner");
        // A sleep no other test runs, to find the step's process by.
        var nap = string.Create(CultureInfo.InvariantCulture, $"{600 + Random.Shared.Next(1000)}.{Random.Shared.Next(1000, 10000)}");
        var jobId = await TriggerAsync(admin, "app", $"language: shell\nscript: echo started; sleep {nap}\n");
        await WaitAsync(() => LogAsync(admin, jobId), log => log.Contains("started", StringComparison.Ordinal), "the step's start");

        runner.Kill();
        var cleaner = new Cleaner(server, token, Path.Combine(_root.Path, "runner"));
        _processes.Add(cleaner);
        var killed = TimeProvider.System.GetTimestamp();
        var job = await WaitForJobAsync(admin, jobId, TimeSpan.FromSeconds(60));
        var took = TimeProvider.System.GetElapsedTime(killed);
        Assert.Equal(Status.InfrastructureFail, job.Status);
        Assert.Contains("the runner doomed stopped heart-beating", job.Attempts[^1].Nodes[0].Message, StringComparison.Ordinal);
        Assert.True(took < TimeSpan.FromSeconds(20), $"ended {took.TotalSeconds:F1} s after the kill, with a 3 s lease swept every 5 s");

        // The killed runner's step still runs, in its sandbox; the runner's next start ends it.
        Assert.True(SleepingSteps(nap) > 0, "the killed runner's step was not left running: nothing to clean, the test proves nothing");
        await cleaner.DisposeAsync();
        Assert.Equal(0, SleepingSteps(nap));
    }

    [Fact]
    public async Task With_retry_lost_nodes_a_job_whose_runner_is_killed_passes_on_a_second_runner()
    {
        var server = await StartServerAsync(FreePort.Pick(), new Dictionary<string, string> { ["Porthole:LeaseDuration"] = "00:00:03" });
        var admin = await AdminAsync(server);
        var firstToken = await RunnerTokenAsync(admin, "first");
        var first = await StartRunnerAsync(server, firstToken, "first");

        // The step holds while a file of the test's exists (in /var/tmp, which a node's sandbox shows as the host has it).
        var hold = Directory.CreateDirectory(Path.Combine("/var/tmp", "porthole-fault-" + Guid.NewGuid().ToString("N")[..12])).FullName;
        try
        {
            File.SetUnixFileMode(hold, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            await File.WriteAllTextAsync(Path.Combine(hold, "hold"), "");
            var config = $"language: shell\nscript: echo holding; while [ -e {hold}/hold ]; do sleep 0.2; done; echo passed\n";
            var repository = GitRepository.WithFiles((".travis.yml", config));
            _disposables.Add(repository);
            await Expect.StatusAsync(await admin.PostAsJsonAsync("/api/projects", new CreateProjectRequest("app", repository.Path, "private"), ApiJson.Options), 201);
            await Expect.StatusAsync(await admin.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null, RetryLostNodes: true), ApiJson.Options), 200);
            var response = await admin.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null), ApiJson.Options);
            await Expect.StatusAsync(response, 201);
            var jobId = (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!.Workflows[0].Jobs[0].Id;
            await WaitAsync(() => LogAsync(admin, jobId), log => log.Contains("holding", StringComparison.Ordinal), "the step's start");

            first.Kill();
            _processes.Add(new Cleaner(server, firstToken, Path.Combine(_root.Path, "first")));
            await WaitAsync(async () => (await admin.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!, j => j.Attempts.Count == 2 && j.Attempts[0].Status == Status.InfrastructureFail, "the retry");
            var lost = (await admin.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!;
            Assert.Equal((Status.InfrastructureFail, "retry_lost"), (lost.Attempts[0].Status, lost.Attempts[1].Reason));
            Assert.Contains("retried as attempt 2 on another runner", lost.Attempts[0].Nodes[0].Message, StringComparison.Ordinal);

            File.Delete(Path.Combine(hold, "hold"));
            var second = await StartRunnerAsync(server, admin, "second", "second");
            var job = await WaitForJobAsync(admin, jobId, TimeSpan.FromSeconds(60));
            Assert.True(job.Status == Status.Success, $"the job ended {job.Status}: {job.Attempts[^1].Nodes[0].Message}\n{second.Printed}");
            Assert.Contains("passed", await admin.GetStringAsync($"/api/jobs/{jobId}/log?attempt=2"), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(hold, recursive: true);
        }
    }

    [Fact]
    public async Task A_runner_whose_disk_is_full_fails_its_node_with_the_reason_and_the_server_goes_on()
    {
        var server = await StartServerAsync(FreePort.Pick());
        var admin = await AdminAsync(server);
        var small = Path.Combine(_root.Path, "small");
        Directory.CreateDirectory(small);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small);
        _processes.Add(new Unmount(small));
        await StartRunnerAsync(server, admin, "cramped", small);

        var jobId = await TriggerAsync(admin, "app", "language: shell\nscript:\n  - dd if=/dev/zero of=$HOME/fill bs=1M count=64\n");
        var job = await WaitForJobAsync(admin, jobId, TimeSpan.FromSeconds(60));
        var log = await LogAsync(admin, jobId);
        Assert.True(job.Status is Status.Failed or Status.InfrastructureFail, $"the job ended {job.Status}");
        Assert.Contains("No space left on device", log + job.Attempts[^1].Nodes[0].Message, StringComparison.Ordinal);

        // The server is unaffected: it answers, and a job on a runner with room passes.
        await StartRunnerAsync(server, admin, "roomy", "roomy", "--labels", "acme/roomy");
        var next = await TriggerAsync(admin, "other", "version: 2.1\njobs:\n  build:\n    machine: true\n    resource_class: acme/roomy\n    steps:\n      - run: echo fine\nworkflows:\n  main:\n    jobs: [build]\n");
        Assert.Equal(Status.Success, (await WaitForJobAsync(admin, next, TimeSpan.FromSeconds(60))).Status);
    }

    [GeneratedRegex(@"^line-\d+ of the step$", RegexOptions.Multiline)]
    private static partial Regex StepLine();

    private async Task<ServerProcess> StartServerAsync(int port, IReadOnlyDictionary<string, string>? settings = null)
    {
        var server = ServerProcess.Start(Data, port, settings, "--no-builtin-runner");
        _processes.Add(server);
        await server.ReadyAsync();
        return server;
    }

    private async Task<HttpClient> AdminAsync(ServerProcess server)
    {
        var client = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(Data, "admin-token"))).Trim());
        _disposables.Add(client);
        return client;
    }

    private static async Task<string> RunnerTokenAsync(HttpClient admin, string name)
    {
        var response = await admin.PostAsJsonAsync("/api/runner-tokens", new CreateRunnerTokenRequest(name), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<CreatedRunnerToken>(ApiJson.Options))!.Token;
    }

    private async Task<RunnerProcess> StartRunnerAsync(ServerProcess server, HttpClient admin, string name, string data, params string[] arguments) =>
        await StartRunnerAsync(server, await RunnerTokenAsync(admin, name), data, arguments);

    private async Task<RunnerProcess> StartRunnerAsync(ServerProcess server, string token, string data, params string[] arguments)
    {
        var runner = RunnerProcess.Start(server.Url, token, Path.Combine(_root.Path, data), null, arguments);
        _processes.Add(runner);
        Assert.True(await runner.WaitForPrintedAsync("registered"), $"the runner did not register:\n{runner.Printed}");
        return runner;
    }

    /// <summary>A project of its own with <paramref name="config"/> (CircleCI when it starts with a version), triggered: its job's id.</summary>
    private async Task<long> TriggerAsync(HttpClient admin, string project, string config)
    {
        var file = config.StartsWith("version:", StringComparison.Ordinal) ? ".circleci/config.yml" : ".travis.yml";
        var repository = GitRepository.WithFiles((file, config));
        _disposables.Add(repository);
        await Expect.StatusAsync(await admin.PostAsJsonAsync("/api/projects", new CreateProjectRequest(project, repository.Path, "private"), ApiJson.Options), 201);
        var response = await admin.PostAsJsonAsync($"/api/projects/{project}/pipelines", new TriggerRequest(null, null), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!.Workflows[0].Jobs[0].Id;
    }

    private static Task<string> LogAsync(HttpClient admin, long jobId) => admin.GetStringAsync($"/api/jobs/{jobId}/log");

    private static async Task<JobView> WaitForJobAsync(HttpClient admin, long jobId, TimeSpan within)
    {
        JobView? job = null;
        await WaitAsync(
            async () => job = (await admin.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!,
            j => Status.IsFinished(j.Status),
            $"job {jobId} to finish",
            within);
        return job!;
    }

    private static async Task WaitAsync<T>(Func<Task<T>> read, Func<T, bool> until, string what, TimeSpan? within = null)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                if (until(await read()))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // The server is starting again.
            }

            Assert.True(TimeProvider.System.GetElapsedTime(started) < (within ?? TimeSpan.FromSeconds(60)), $"waited in vain for {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>How many processes of this machine run the killed runner's step (<c>sleep NAP</c>).</summary>
    private static int SleepingSteps(string nap) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => Path.GetFileName(d))
            .Where(p => p.All(char.IsAsciiDigit))
            .Count(p =>
            {
                try
                {
                    return File.ReadAllText($"/proc/{p}/cmdline").Replace('\0', ' ').Trim() == "sleep " + nap;
                }
                catch (IOException)
                {
                    return false;
                }
            });

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(file, arguments);
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited {process.ExitCode.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// What a killed runner left running (its node's sandbox and step) is ended by the next start of a runner on its data
    /// folder: disposing this starts one and stops it once it has cleaned up (it registers after cleaning).
    /// </summary>
    private sealed class Cleaner(ServerProcess server, string token, string data) : IAsyncDisposable
    {
        private bool _done;

        public async ValueTask DisposeAsync()
        {
            if (_done)
            {
                return;
            }

            _done = true;
            await using var runner = RunnerProcess.Start(server.Url, token, data);
            Assert.True(await runner.WaitForPrintedAsync("registered"), $"the cleaning runner did not start:\n{runner.Printed}");
        }
    }

    /// <summary>Unmounts the small disk after the processes that used it are stopped.</summary>
    private sealed class Unmount(string path) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await RunAsync("umount", path);
    }
}
