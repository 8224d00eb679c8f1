using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Runners;

/// <summary>
/// <c>porthole runner</c> (issue 14, remote runners) end to end: the real server process with no built-in runner, and
/// real runner processes that register with a runner token, lease over HTTP, run the jobs here (shell executor, the
/// node's sandbox) and serve their SSH endpoints on their advertised host. One server and one unlabelled runner
/// (advertising and listening on 127.0.0.2, capacity 3) serve the whole class; tests that need another runner start
/// their own.
/// </summary>
public sealed class RemoteRunnerTests(RemoteRunnerFixture remote) : IClassFixture<RemoteRunnerFixture>
{
    [Fact]
    public async Task A_travis_shell_job_runs_on_the_remote_runner_and_the_stored_log_is_what_its_step_printed()
    {
        // Over a megabyte (more than one log chunk, many flushes), with multi-byte characters.
        var pipeline = await remote.TriggerAsync("travis-app", ".travis.yml", """
            language: shell
            script:
              - printf '%s-%s\n' BEGIN PAYLOAD; printf 'β ✓ ünïcode\n'; seq 1 200000; printf '%s-%s\n' END PAYLOAD
            """);
        var jobId = pipeline.Workflows.Single().Jobs.Single().Id;

        var job = await remote.WaitForJobAsync(jobId, j => Status.IsFinished(j.Status));
        Assert.True(job.Status == Status.Success, $"the job ended {job.Status}: {job.Attempts[^1].Nodes[0].Message}\n{remote.Runner.Printed}");
        var bytes = await remote.Admin.GetByteArrayAsync($"/api/jobs/{jobId}/log?node=0");
        var log = Encoding.UTF8.GetString(bytes);
        var begin = log.IndexOf("BEGIN-PAYLOAD\n", StringComparison.Ordinal);
        var end = log.IndexOf("END-PAYLOAD\n", StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"the log lacks the step's output: {log[..Math.Min(log.Length, 2000)]}");
        var expected = new StringBuilder("BEGIN-PAYLOAD\nβ ✓ ünïcode\n");
        for (var i = 1; i <= 200000; i++)
        {
            expected.Append(i).Append('\n');
        }

        expected.Append("END-PAYLOAD\n");
        var stored = log[begin..(end + "END-PAYLOAD\n".Length)];
        Assert.True(expected.ToString() == stored, $"the stored output differs from what the step printed ({stored.Length} characters stored, {expected.Length} printed)");
        Assert.Equal(bytes.Length, job.Attempts[^1].Nodes[0].LogLength);
        Assert.Contains($"(job {jobId} ", remote.Runner.Printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_circleci_machine_job_passes_and_a_failing_step_fails_its_job_on_the_remote_runner()
    {
        var pipeline = await remote.TriggerAsync("circle-app", ".circleci/config.yml", """
            version: 2.1
            jobs:
              build:
                machine: true
                steps:
                  - run: echo "machine says hi from $CIRCLE_JOB"
              broken:
                machine: true
                steps:
                  - run: echo "about to fail"; exit 3
                  - run: echo "never printed"
            workflows:
              main:
                jobs: [build, broken]
            """);
        var jobs = pipeline.Workflows.Single().Jobs;
        var build = await remote.WaitForJobAsync(jobs.Single(j => j.Name == "build").Id, j => Status.IsFinished(j.Status));
        var broken = await remote.WaitForJobAsync(jobs.Single(j => j.Name == "broken").Id, j => Status.IsFinished(j.Status));

        Assert.True(build.Status == Status.Success, $"build ended {build.Status}: {build.Attempts[^1].Nodes[0].Message}");
        Assert.Contains("machine says hi from build\n", await remote.Admin.GetStringAsync($"/api/jobs/{build.Id}/log?node=0"), StringComparison.Ordinal);

        Assert.Equal(Status.Failed, broken.Status);
        var steps = broken.Attempts[^1].Nodes[0].Steps;
        var failed = Assert.Single(steps, s => s.Status == Status.Failed);
        Assert.Equal(3, failed.ExitCode);
        var brokenLog = await remote.Admin.GetStringAsync($"/api/jobs/{broken.Id}/log?node=0");
        Assert.Contains("about to fail\n", brokenLog, StringComparison.Ordinal);
        Assert.DoesNotContain("never printed\n", brokenLog, StringComparison.Ordinal);
        Assert.Equal(Status.Failed, (await remote.Admin.GetFromJsonAsync<PipelineView>($"/api/pipelines/{pipeline.Id}", ApiJson.Options))!.Status);
    }

    [Fact]
    public async Task Workspaces_caches_artifacts_and_test_results_travel_over_http_between_jobs_on_the_remote_runner()
    {
        var pipeline = await remote.TriggerAsync("data-app", ".circleci/config.yml", """
            version: 2.1
            jobs:
              make:
                machine: true
                steps:
                  - run: |
                      mkdir -p out reports ~/deps
                      head -c 3000000 /dev/urandom > out/blob.bin
                      sha256sum out/blob.bin | cut -d' ' -f1 > out/blob.sha
                      echo cached-bytes > ~/deps/c.txt
                      echo '<testsuite name="s"><testcase classname="c" name="passes" time="0.25"/><testcase classname="c" name="fails"><failure message="boom"/></testcase></testsuite>' > reports/junit.xml
                  - persist_to_workspace:
                      root: out
                      paths: [blob.bin, blob.sha]
                  - save_cache:
                      key: deps-v1
                      paths: [~/deps]
                  - store_artifacts:
                      path: out/blob.sha
                  - store_test_results:
                      path: reports
              use:
                machine: true
                steps:
                  - attach_workspace:
                      at: ~/ws
                  - restore_cache:
                      keys: [deps-]
                  - run: |
                      echo "blob $(sha256sum ~/ws/blob.bin | cut -d' ' -f1) $(cat ~/ws/blob.sha)"
                      cat ~/deps/c.txt
            workflows:
              main:
                jobs:
                  - make
                  - use:
                      requires: [make]
            """);
        var jobs = pipeline.Workflows.Single().Jobs.ToDictionary(j => j.Name, j => j.Id);
        var use = await remote.WaitForJobAsync(jobs["use"], j => Status.IsFinished(j.Status), seconds: 120);
        var useLog = await remote.Admin.GetStringAsync($"/api/jobs/{jobs["use"]}/log?node=0");
        Assert.True(use.Status == Status.Success, $"use ended {use.Status}:\n{useLog}\n{await remote.Admin.GetStringAsync($"/api/jobs/{jobs["make"]}/log?node=0")}");

        // The 3 MB blob went up as the make job's workspace layer and came down whole into the use job.
        var blob = System.Text.RegularExpressions.Regex.Match(useLog, "\nblob ([0-9a-f]{64}) ([0-9a-f]{64})\n");
        Assert.True(blob.Success && blob.Groups[1].Value == blob.Groups[2].Value, useLog);
        Assert.Contains("\ncached-bytes\n", useLog, StringComparison.Ordinal);

        var artifacts = await remote.Admin.GetFromJsonAsyncOrFail<ArtifactList>($"/api/jobs/{jobs["make"]}/artifacts");
        var sha = Assert.Single(artifacts.Items);
        Assert.Equal("out/blob.sha", sha.Path);
        Assert.Equal(blob.Groups[2].Value + "\n", await remote.Admin.GetStringAsync(sha.Url));
        var tests = await remote.Admin.GetFromJsonAsyncOrFail<TestResultList>($"/api/jobs/{jobs["make"]}/tests");
        Assert.Equal((2, 1), (tests.Counts.Total, tests.Counts.Failed));
        Assert.Equal("fails", tests.Items[0].Name);
    }

    [Fact]
    public async Task The_runners_list_shows_the_remote_runner_with_its_labels_capacity_and_address()
    {
        var runners = await remote.Admin.GetFromJsonAsyncOrFail<List<RunnerView>>("/api/runners");

        var runner = Assert.Single(runners, r => r.Name == RemoteRunnerFixture.RunnerName);
        Assert.False(runner.BuiltIn);
        Assert.Equal(["docker", "linux", "machine"], runner.Labels);
        Assert.Equal((3, RemoteRunnerFixture.AdvertisedHost), (runner.Capacity, runner.Address));
        Assert.False(string.IsNullOrWhiteSpace(runner.Version));
        Assert.NotNull(runner.LastHeartbeatAt);
        Assert.DoesNotContain(runners, r => r.BuiltIn);
    }

    [Fact]
    public async Task A_job_needing_a_runner_class_waits_while_only_an_unlabelled_runner_is_up_and_runs_once_a_runner_with_it_starts()
    {
        var pipeline = await remote.TriggerAsync("gpu-app", ".circleci/config.yml", """
            version: 2.1
            jobs:
              train:
                machine: true
                resource_class: acme/gpu
                steps:
                  - run: echo "trained on $(hostname)-gpu"
            workflows:
              main:
                jobs: [train]
            """);
        var jobId = pipeline.Workflows.Single().Jobs.Single().Id;

        // The unlabelled runner leases at once what it can take (it is idle); this it must leave.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var waiting = (await remote.Admin.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!;
        Assert.Equal(Status.Queued, waiting.Status);
        Assert.Contains("acme/gpu", waiting.NoRunner ?? "(no reason given)", StringComparison.Ordinal);

        using var data = new TempFolder();
        var token = await remote.CreateRunnerTokenAsync("gpu-box");
        await using var gpu = RunnerProcess.Start(remote.Server.Url, token, data.Path, null, "--labels", "acme/gpu", "--capacity", "1");
        Assert.True(await gpu.WaitForPrintedAsync("waiting for jobs"), gpu.Printed);
        Assert.Contains("Runner gpu-box registered with", gpu.Printed, StringComparison.Ordinal);
        Assert.Contains("acme/gpu", gpu.Printed, StringComparison.Ordinal);

        var job = await remote.WaitForJobAsync(jobId, j => Status.IsFinished(j.Status));
        Assert.True(job.Status == Status.Success, $"the job ended {job.Status}: {job.Attempts[^1].Nodes[0].Message}\n{gpu.Printed}");
        Assert.Contains($"(job {jobId} ", gpu.Printed, StringComparison.Ordinal);
        Assert.DoesNotContain($"(job {jobId} ", remote.Runner.Printed, StringComparison.Ordinal);
        Assert.Contains("-gpu\n", await remote.Admin.GetStringAsync($"/api/jobs/{jobId}/log?node=0"), StringComparison.Ordinal);
        var listed = Assert.Single(await remote.Admin.GetFromJsonAsyncOrFail<List<RunnerView>>("/api/runners"), r => r.Name == "gpu-box");
        Assert.Equal(["acme/gpu", "docker", "linux", "machine"], listed.Labels);

        // SIGTERM stops it cleanly.
        Assert.Equal(0, await gpu.StopAsync());
        Assert.DoesNotContain(token, gpu.Printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_runner_stopped_with_sigterm_mid_job_ends_its_node_as_infrastructure_fail_and_exits_0()
    {
        var pipeline = await remote.TriggerAsync("stop-app", ".circleci/config.yml", """
            version: 2.1
            jobs:
              long:
                machine: true
                resource_class: acme/stopper
                steps:
                  - run: echo long-started; sleep 120; echo long-finished
            workflows:
              main:
                jobs: [long]
            """);
        var jobId = pipeline.Workflows.Single().Jobs.Single().Id;
        using var data = new TempFolder();
        var token = await remote.CreateRunnerTokenAsync("stopper");
        await using var runner = RunnerProcess.Start(remote.Server.Url, token, data.Path, null, "--labels", "acme/stopper");
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
        while (!(await remote.Admin.GetStringAsync($"/api/jobs/{jobId}/log?node=0")).Contains("long-started\n", StringComparison.Ordinal))
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"the job never started:\n{runner.Printed}");
            await Task.Delay(100);
        }

        Assert.Equal(0, await runner.StopAsync());

        // The runner ended the node before it exited: no wait for a lease to run out.
        var job = await remote.WaitForJobAsync(jobId, j => Status.IsFinished(j.Status), seconds: 5);
        Assert.Equal(Status.InfrastructureFail, job.Status);
        Assert.Equal("the runner stopped while the node ran", job.Attempts[^1].Nodes[0].Message);
        var log = await remote.Admin.GetStringAsync($"/api/jobs/{jobId}/log?node=0");
        Assert.Contains("Porthole: the runner stopped while the node ran; the node ended as infrastructure_fail.", log, StringComparison.Ordinal);
        Assert.DoesNotContain("long-finished\n", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ssh_rerun_on_the_remote_runner_gives_an_endpoint_on_its_advertised_host_that_ssh_enters()
    {
        var pipeline = await remote.TriggerAsync("ssh-app", ".circleci/config.yml", """
            version: 2.1
            jobs:
              build:
                machine: true
                steps:
                  - run: echo built > built.txt
            workflows:
              main:
                jobs: [build]
            """);
        var jobId = pipeline.Workflows.Single().Jobs.Single().Id;
        Assert.Equal(Status.Success, (await remote.WaitForJobAsync(jobId, j => Status.IsFinished(j.Status))).Status);
        using var keys = new TempFolder();
        var mine = SshKeyFile.Generate(keys.Path, "mine");
        await remote.Admin.AddKeyAsync(mine);

        await Expect.StatusAsync(await remote.Admin.PostAsJsonAsync($"/api/jobs/{jobId}/rerun", new RerunRequest(null, true), ApiJson.Options), 202);
        try
        {
            var node = await WaitForEndpointAsync(jobId);
            Assert.Equal(RemoteRunnerFixture.AdvertisedHost, node.Host);
            Assert.Contains(mine.Fingerprint, node.AcceptedFingerprints);
            var ssh = new SshClient(keys.Path);
            ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);

            var result = await ssh.SshAsync(mine, node.User!, node.Host!, node.Port.Value, "echo hi; cat built.txt");
            Assert.True(result.ExitCode == 0, result.Error);
            Assert.Equal("hi\nbuilt\n", result.Output);
        }
        finally
        {
            await Expect.StatusAsync(await remote.Admin.PostAsync($"/api/jobs/{jobId}/cancel", null), 202);
        }

        var ended = await remote.WaitForJobAsync(jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        Assert.True(ended.Attempts[^1].Ssh);
        Assert.Equal(Status.Success, ended.Status);
    }

    [Fact]
    public async Task A_runner_with_a_revoked_or_a_wrong_token_exits_1_saying_it_was_refused()
    {
        var revoked = await remote.CreateRunnerTokenAsync("revoked-box");
        await Expect.StatusAsync(await remote.Admin.DeleteAsync("/api/runner-tokens/revoked-box"), 204);
        var wrong = "prt_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        foreach (var token in new[] { revoked, wrong })
        {
            using var data = new TempFolder();
            await using var runner = RunnerProcess.Start(remote.Server.Url, token, data.Path);
            Assert.Equal(1, await runner.WaitForExitAsync());
            Assert.Contains("error: the server refused this runner: The runner token is unknown or revoked.", runner.Printed, StringComparison.Ordinal);
            Assert.DoesNotContain("registered with", runner.Printed, StringComparison.Ordinal);
            Assert.True(!runner.Printed.Contains(token, StringComparison.Ordinal), "the runner printed its token");
        }

        Assert.DoesNotContain(await remote.Admin.GetFromJsonAsyncOrFail<List<RunnerView>>("/api/runners"), r => r.Name == "revoked-box");
    }

    [Theory]
    [InlineData("--server is required", null, "prt_x")]
    [InlineData("--server 'ftp://ci.example' is not a server address", "ftp://ci.example", "prt_x")]
    [InlineData("--server 'ci.example:8080' is not a server address", "ci.example:8080", "prt_x")]
    [InlineData("a runner token is required: set the environment variable PORTHOLE_RUNNER_TOKEN", "http://127.0.0.1:9", null)]
    [InlineData("--labels: 'a b' is not a label", "http://127.0.0.1:9", "prt_x", "--labels", "a b")]
    [InlineData("--labels: '' is not a label", "http://127.0.0.1:9", "prt_x", "--labels", "gpu,,fast")]
    [InlineData("--capacity '0' is not how many nodes run at once", "http://127.0.0.1:9", "prt_x", "--capacity", "0")]
    [InlineData("--capacity 'many' is not how many nodes run at once", "http://127.0.0.1:9", "prt_x", "--capacity", "many")]
    [InlineData("--ssh-advertise-host 'a host' is not a host name", "http://127.0.0.1:9", "prt_x", "--ssh-advertise-host", "a host")]
    public async Task Bad_arguments_exit_2_with_the_reason_before_anything_starts(string reason, string? server, string? token, params string[] arguments)
    {
        using var folder = new TempFolder();
        var data = folder.Combine("runner-data");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "porthole.dll"), "runner", .. server is null ? [] : (string[])["--server", server], "--data", data, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("PORTHOLE_RUNNER_TOKEN");
        if (token is not null)
        {
            start.Environment["PORTHOLE_RUNNER_TOKEN"] = token;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await process.WaitForExitAsync(timeout.Token);
        }

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("error: " + reason, await error, StringComparison.Ordinal);
        Assert.Equal("", await output);
        Assert.False(Directory.Exists(data), "the runner made its data folder before refusing its arguments");
    }

    private async Task<SshNodeView> WaitForEndpointAsync(long jobId)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
        while (true)
        {
            var response = await remote.Admin.GetAsync($"/api/jobs/{jobId}/ssh");
            if (response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync<JobSshView>(ApiJson.Options))!.Nodes is [{ Port: not null } node])
            {
                return node;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"no SSH endpoint within 60 s; the runner printed:\n{remote.Runner.Printed}");
            await Task.Delay(100);
        }
    }
}
