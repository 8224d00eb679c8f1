using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Executors;
using Porthole.Execution.Logging;
using Porthole.Execution.Processes;
using Porthole.Execution.Sections;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Sections;

public sealed class NodeSectionTests : IDisposable
{
    private readonly NodeHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private RecordingReporter Reporter => _harness.Reporter;

    [Fact]
    public async Task Sections_before_and_after_are_reported_in_order_with_their_headers_and_byte_ranges()
    {
        var enable = TestSection.Writing("Enable SSH", "ssh -p 2222 porthole@runner\n");
        var wait = TestSection.Writing("Wait for SSH", "nobody connected\n");
        var job = Plans.Job([Plans.Run("Build", "echo building"), Plans.Run("Test", "echo testing")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job), new NodeSections([enable], [wait]));

        Assert.Equal(new NodeCompletion(NodeResult.Success, null), completion);
        Assert.Equal(
            [
                (0, "Enable SSH", StepState.Running), (0, "Enable SSH", StepState.Success),
                (1, "Build", StepState.Running), (1, "Build", StepState.Success),
                (2, "Test", StepState.Running), (2, "Test", StepState.Success),
                (3, "Wait for SSH", StepState.Running), (3, "Wait for SSH", StepState.Success),
            ],
            Reporter.Reports.Select(r => (r.Index, r.Name, r.State)));
        Assert.Equal(LogLines.Header("Enable SSH") + "ssh -p 2222 porthole@runner\n", Reporter.StepLog(0));
        Assert.Equal(LogLines.Header("Build") + "building\n", Reporter.StepLog(1));
        Assert.Equal(LogLines.Header("Wait for SSH") + "nobody connected\n", Reporter.StepLog(3));

        // The ranges follow each other and cover the whole log: the log reads in order.
        Assert.Equal(0, Reporter.Final(0).LogStart);
        for (var i = 1; i < 4; i++)
        {
            Assert.Equal(Reporter.Final(i - 1).LogEnd, Reporter.Final(i).LogStart);
        }

        Assert.Equal(Reporter.LogBytes.Length, Reporter.Final(3).LogEnd);
        Assert.False(Reporter.Overlapped);
    }

    [Fact]
    public async Task Background_steps_take_their_indexes_after_the_sections_before()
    {
        var enable = TestSection.Writing("Enable SSH", "enabled\n");
        var job = Plans.Job([Plans.Run("Server", "echo up; sleep 300", background: true), Plans.Run("Client", "sleep 0.2; echo client")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job), new NodeSections([enable], []));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.All(Reporter.Reports.Where(r => r.Name == "Server"), r => Assert.Equal(1, r.Index));
        Assert.All(Reporter.Reports.Where(r => r.Name == "Client"), r => Assert.Equal(2, r.Index));
        Assert.Contains("Ended the background step 'Server'", Reporter.StepLog(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_a_section_writes_is_masked_for_secrets()
    {
        var section = new TestSection("Enable SSH", async (context, _) =>
        {
            await context.WriteAsync("the token is hunter2-");
            await context.WriteAsync("secret-value, ok\n");
            await context.WriteAsync("and once more: hunter2-secret-value");
            return new NodeSectionResult(StepState.Success);
        });
        var job = Plans.Job([Plans.Run("Build", "echo built")]);
        var variables = new[] { new ProjectVariable("API_TOKEN", "hunter2-secret-value", Secret: true) };

        await _harness.RunAsync(Plans.Assignment(job, variables: variables), new NodeSections([section], []));

        var log = Reporter.StepLog(0);
        Assert.Contains("the token is ********, ok\nand once more: ********", log, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", Reporter.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sections_after_run_after_a_failing_step_and_are_told_the_job_failed()
    {
        var before = TestSection.Writing("Enable SSH", "enabled\n");
        var after = TestSection.Writing("Wait for SSH", "waited\n");
        var job = Plans.Job([Plans.Run("Build", "echo broken; exit 3"), Plans.Run("Test", "echo never")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job), new NodeSections([before], [after]));

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.Equal("Step 'Build' failed with exit code 3.", completion.Message);
        Assert.False(before.Context!.JobFailed);
        Assert.True(after.Context!.JobFailed);
        Assert.Equal(StepState.Failed, Reporter.Final(1).State);
        Assert.Equal(StepState.Skipped, Reporter.Final(2).State);
        Assert.Equal(StepState.Success, Reporter.Final(3).State);
        Assert.Equal(LogLines.Header("Wait for SSH") + "waited\n", Reporter.StepLog(3));
    }

    [Fact]
    public async Task A_section_after_that_passes_is_told_the_job_passed()
    {
        var after = TestSection.Writing("Wait for SSH", "waited\n");

        await _harness.RunAsync(Plans.Assignment(Plans.Job([Plans.Run("Build", "true")])), new NodeSections([], [after]));

        Assert.False(after.Context!.JobFailed);
    }

    [Fact]
    public async Task A_cancel_during_a_section_after_ends_it_at_once_and_it_is_reported_canceled()
    {
        var wait = TestSection.Waiting("Wait for SSH");
        var job = Plans.Job([Plans.Run("Build", "echo built")]);
        using var cancel = new CancellationTokenSource();

        var running = _harness.RunAsync(Plans.Assignment(job), new NodeSections([], [wait]), cancel.Token);
        await wait.Started.WaitAsync(TimeSpan.FromSeconds(20));
        await Reporter.WaitForLogAsync("waiting\n");
        var canceledAt = TimeProvider.System.GetTimestamp();
        await cancel.CancelAsync();
        var completion = await running.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(TimeProvider.System.GetElapsedTime(canceledAt) < TimeSpan.FromSeconds(3), "the section should end at once");

        // The steps had passed: what happens in a section does not change the node's result (R-SSH-7).
        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.Equal(StepState.Success, Reporter.Final(0).State);
        Assert.Equal(StepState.Canceled, Reporter.Final(1).State);
        Assert.Equal(
            LogLines.Header("Wait for SSH") + "waiting\n" + LogLines.SectionCanceled(),
            Reporter.StepLog(1));
    }

    [Fact]
    public async Task A_section_that_ignores_a_cancel_is_left_behind_after_a_grace_and_cannot_write_later()
    {
        var leftBehind = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stubborn = new TestSection("Wait for SSH", async (context, _) =>
        {
            await context.WriteAsync("waiting\n");
            await leftBehind.Task;
            await context.WriteAsync("too late\n");
            return new NodeSectionResult(StepState.Success);
        });
        using var cancel = new CancellationTokenSource();

        var running = _harness.RunAsync(Plans.Assignment(Plans.Job([Plans.Run("Build", "true")])), new NodeSections([], [stubborn]), cancel.Token);
        await Reporter.WaitForLogAsync("waiting\n");
        await cancel.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(20));
        leftBehind.SetResult();
        await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);

        Assert.Equal(StepState.Canceled, Reporter.Final(1).State);
        Assert.DoesNotContain("too late", Reporter.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sections_after_are_skipped_when_the_job_was_canceled_during_the_steps()
    {
        var before = TestSection.Writing("Enable SSH", "enabled\n");
        var after = TestSection.Writing("Wait for SSH", "waited\n");
        var job = Plans.Job([Plans.Run("Long", "echo long; sleep 300")]);
        using var cancel = new CancellationTokenSource();

        var running = _harness.RunAsync(Plans.Assignment(job), new NodeSections([before], [after]), cancel.Token);
        await Reporter.WaitForLogAsync("long\n");
        await cancel.CancelAsync();
        var completion = await running.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(NodeResult.Canceled, completion.Result);
        Assert.Equal(StepState.Success, Reporter.Final(0).State);
        Assert.Equal(StepState.Canceled, Reporter.Final(1).State);
        Assert.Equal(StepState.Skipped, Reporter.Final(2).State);
        Assert.Null(after.Context);
        Assert.Equal(Reporter.Final(2).LogStart, Reporter.Final(2).LogEnd);
    }

    [Fact]
    public async Task A_cancel_during_a_section_before_skips_the_steps_and_the_sections_after()
    {
        var debug = TestSection.Waiting("Debug session");
        var after = TestSection.Writing("Wait for SSH", "waited\n");
        using var cancel = new CancellationTokenSource();

        var running = _harness.RunAsync(
            Plans.Assignment(Plans.Job([Plans.Run("Build", "echo never")])), new NodeSections([debug], [after]), cancel.Token);
        await Reporter.WaitForLogAsync("waiting\n");
        await cancel.CancelAsync();
        var completion = await running.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(new NodeCompletion(NodeResult.Canceled, "The job was canceled."), completion);
        Assert.Equal(
            [StepState.Canceled, StepState.Skipped, StepState.Skipped],
            Enumerable.Range(0, 3).Select(i => Reporter.Final(i).State));
        Assert.DoesNotContain("never", Reporter.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_job_time_cap_ends_the_steps_but_not_a_section_after()
    {
        var after = new TestSection("Wait for SSH", async (context, canceled) =>
        {
            await context.WriteAsync("waiting a second\n");
            await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, canceled);
            await context.WriteAsync("done waiting\n");
            return new NodeSectionResult(StepState.Success);
        });
        var job = Plans.Job([Plans.Run("Slow", "echo slow; sleep 300")]);

        var completion = await _harness.RunAsync(
            Plans.Assignment(job, jobTimeout: TimeSpan.FromMilliseconds(500)), new NodeSections([], [after])).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(new NodeCompletion(NodeResult.TimedOut, "The job reached its time cap of 500ms."), completion);
        Assert.Equal(StepState.TimedOut, Reporter.Final(0).State);
        Assert.True(after.Context!.JobFailed);
        Assert.Equal(StepState.Success, Reporter.Final(1).State);
        Assert.Equal(LogLines.Header("Wait for SSH") + "waiting a second\ndone waiting\n", Reporter.StepLog(1));
    }

    [Fact]
    public async Task SkipSteps_from_a_section_before_skips_the_plan_and_the_node_succeeds()
    {
        var marker = Path.Combine(_harness.Evidence, "ran");
        var debug = TestSection.Writing("Debug session", "session over\n", skipSteps: true);
        var after = TestSection.Writing("After", "after\n");
        var job = Plans.Job([Plans.Run("Build", $"touch {marker}; exit 1"), Plans.Run("Cleanup", $"touch {marker}", when: StepCondition.Always)]);

        var completion = await _harness.RunAsync(Plans.Assignment(job), new NodeSections([debug], [after]));

        Assert.Equal(new NodeCompletion(NodeResult.Success, null), completion);
        Assert.False(File.Exists(marker), "the plan's steps must not run");
        Assert.Equal(
            [StepState.Success, StepState.Skipped, StepState.Skipped, StepState.Success],
            Enumerable.Range(0, 4).Select(i => Reporter.Final(i).State));
        Assert.False(after.Context!.JobFailed);
    }

    [Fact]
    public async Task A_section_that_skips_the_steps_says_how_the_node_ended()
    {
        var debug = new TestSection("Debug session", (_, _) =>
            Task.FromResult(new NodeSectionResult(StepState.Success, SkipSteps: true, "The debug session ended: the last window was exited.")));
        var job = Plans.Job([Plans.Run("Build", "echo built")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job), new NodeSections([debug], []));

        Assert.Equal(new NodeCompletion(NodeResult.Success, "The debug session ended: the last window was exited."), completion);
    }

    [Fact]
    public async Task A_section_that_throws_is_reported_failed_and_the_steps_still_run()
    {
        var enable = new TestSection("Enable SSH", async (context, _) =>
        {
            await context.WriteAsync("starting sshd");
            throw new InvalidOperationException("sshd is not installed on the runner");
        });
        var wait = new TestSection("Wait for SSH", (_, _) => throw new InvalidOperationException("no endpoint"));
        var job = Plans.Job([Plans.Run("Build", "echo built")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job), new NodeSections([enable], [wait]));

        Assert.Equal(new NodeCompletion(NodeResult.Success, null), completion);
        Assert.Equal(StepState.Failed, Reporter.Final(0).State);
        Assert.Equal(
            LogLines.Header("Enable SSH") + "starting sshd\nPorthole could not enable SSH: sshd is not installed on the runner\n",
            Reporter.StepLog(0));
        Assert.Equal(StepState.Success, Reporter.Final(1).State);
        Assert.Contains("built\n", Reporter.StepLog(1), StringComparison.Ordinal);
        Assert.Equal(StepState.Failed, Reporter.Final(2).State);
        Assert.Contains("Porthole could not wait for SSH: no endpoint\n", Reporter.StepLog(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_section_does_not_change_a_failed_result_either()
    {
        var enable = TestSection.Writing("Enable SSH", "no luck\n", state: StepState.Failed);

        var completion = await _harness.RunAsync(
            Plans.Assignment(Plans.Job([Plans.Run("Build", "exit 1")])), new NodeSections([enable], []));

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.Equal(StepState.Failed, Reporter.Final(0).State);
    }

    [Fact]
    public async Task A_process_a_section_starts_outlives_the_steps_and_is_gone_when_the_node_ends()
    {
        var pidFile = Path.Combine(_harness.Evidence, "daemon.pid");
        var daemonOutput = new CollectingOutput();
        var tag = "test-" + Guid.NewGuid().ToString("N");
        IStepProcess? daemon = null;
        var enable = new TestSection("Enable SSH", async (context, canceled) =>
        {
            var launch = new StepLaunch(["/bin/sh", "-c", "echo daemon-ready; exec sleep 300"], context.Environment, context.WorkingDirectory);
            daemon = await context.Node.StartAsync(launch, daemonOutput, canceled);
            await File.WriteAllTextAsync(pidFile, daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), canceled);
            await RecordingReporter.WaitUntilAsync(() => daemonOutput.Text.Contains("daemon-ready", StringComparison.Ordinal), "the daemon");
            await context.WriteAsync("daemon started\n");
            return new NodeSectionResult(StepState.Success);
        });
        var job = Plans.Job([
            Plans.Run("Check", $"sleep 0.3; kill -0 $(cat {pidFile}) && echo still-alive; tr '\\0' '\\n' < /proc/$(cat {pidFile})/environ | grep PORTHOLE_NODE_TAG"),
        ]);
        var pid = 0;
        try
        {
            var completion = await _harness.RunAsync(Plans.Assignment(job), new NodeSections([enable], []), tag: tag);
            pid = await TestProcesses.ReadPidFileAsync(pidFile);

            Assert.Equal(NodeResult.Success, completion.Result);
            Assert.Contains($"still-alive\nPORTHOLE_NODE_TAG={tag}\n", Reporter.StepLog(1), StringComparison.Ordinal);
            Assert.False(ProcFs.IsAlive(pid), "the section's process should end with the node");
            Assert.True(daemon!.Exited.IsCompleted);

            // Its output went to the section's own output, not to the node's log.
            Assert.Equal("daemon-ready\n", daemonOutput.Text);
            Assert.DoesNotContain("daemon-ready", Reporter.Log, StringComparison.Ordinal);
            Assert.Contains("daemon started\n", Reporter.StepLog(0), StringComparison.Ordinal);
        }
        finally
        {
            TestProcesses.KillIfAlive(pid);
        }
    }

    [Fact]
    public async Task The_context_has_the_job_environment_the_working_directory_and_BASH_ENV()
    {
        var enable = TestSection.Writing("Enable SSH", "ok\n");
        var job = Plans.Job(
            [Plans.Run("Where", "pwd; echo \"bash_env=$BASH_ENV\"", environment: [new EnvironmentVariable("STEP_ONLY", "1")])],
            environment: [new EnvironmentVariable("JOB_VAR", "job-value")],
            name: "unit-tests");
        var variables = new[]
        {
            new ProjectVariable("PLAIN_VAR", "plain-value", Secret: false),
            new ProjectVariable("SECRET_VAR", "secret-value", Secret: true),
        };

        await _harness.RunAsync(Plans.Assignment(job, variables: variables), new NodeSections([enable], []), tag: "tag-for-env");

        var context = enable.Context!;
        Assert.Equal("unit-tests", context.Environment["CIRCLE_JOB"]);
        Assert.Equal("plain-value", context.Environment["PLAIN_VAR"]);
        Assert.Equal("secret-value", context.Environment["SECRET_VAR"]);
        Assert.Equal("job-value", context.Environment["JOB_VAR"]);
        Assert.Equal(_harness.Home, context.Environment["HOME"]);
        Assert.Equal("tag-for-env", context.Environment["PORTHOLE_NODE_TAG"]);
        Assert.False(context.Environment.ContainsKey("STEP_ONLY"));
        Assert.Equal(Path.Combine(_harness.Home, "project"), context.WorkingDirectory);
        Assert.True(Directory.Exists(context.WorkingDirectory), "the working directory exists before the first step");
        Assert.NotNull(context.BashEnvPath);
        Assert.True(File.Exists(context.BashEnvPath));
        Assert.Equal(context.BashEnvPath, context.Environment["BASH_ENV"]);
        Assert.Contains($"{context.WorkingDirectory}\nbash_env={context.BashEnvPath}\n", Reporter.StepLog(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Travis_sections_have_no_BASH_ENV_and_see_TRAVIS_TEST_RESULT_as_it_stands()
    {
        var before = TestSection.Writing("Enable SSH", "ok\n");
        var after = TestSection.Writing("Wait for SSH", "ok\n");
        var job = Plans.Job([Plans.Run("script", "exit 1", shell: "/bin/bash", phase: "script")]);

        await _harness.RunAsync(Plans.Assignment(job, dialect: ConfigDialect.Travis), new NodeSections([before], [after]));

        Assert.Null(before.Context!.BashEnvPath);
        Assert.False(before.Context.Environment.ContainsKey("TRAVIS_TEST_RESULT"));
        Assert.Equal("true", before.Context.Environment["TRAVIS"]);
        Assert.Equal("1", after.Context!.Environment["TRAVIS_TEST_RESULT"]);
        Assert.Equal(Path.Combine(_harness.Home, "build", "acme", "widget"), before.Context.WorkingDirectory);
    }

    [Fact]
    public async Task The_runner_chosen_tag_is_in_every_step_process()
    {
        var job = Plans.Job([Plans.Run("Tag", "echo \"tag=$PORTHOLE_NODE_TAG\"")]);

        await _harness.RunAsync(Plans.Assignment(job), NodeSections.None, tag: "runner-chose-this");

        Assert.Contains("tag=runner-chose-this\n", Reporter.StepLog(0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_whose_executor_cannot_start_reports_its_sections_skipped_with_their_indexes()
    {
        var before = TestSection.Writing("Enable SSH", "never\n");
        var after = TestSection.Writing("Wait for SSH", "never\n");
        var job = Plans.Job([Plans.Run("Build", "echo never")]);

        var completion = await new NodeRunner(TimeProvider.System, _harness.Executor).RunAsync(
            Plans.Assignment(job), new NodeRunOptions("relative/workspace", TimeSpan.FromMinutes(10)), Reporter, new NodeSections([before], [after]), CancellationToken.None);

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.Equal(
            [(0, "Enable SSH"), (1, "Build"), (2, "Wait for SSH")],
            Reporter.Reports.Select(r => (r.Index, r.Name)));
        Assert.All(Reporter.Reports, r => Assert.Equal(StepState.Skipped, r.State));
        Assert.Null(before.Context);
    }

    [Fact]
    public async Task A_bad_tag_is_refused()
    {
        var options = new NodeRunOptions(_harness.WorkspaceRoot, TimeSpan.FromMinutes(10)) { Tag = " " };

        await Assert.ThrowsAsync<ArgumentException>(() => new NodeRunner(TimeProvider.System, _harness.Executor).RunAsync(
            Plans.Assignment(Plans.Job([])), options, Reporter, NodeSections.None, CancellationToken.None));
    }
}
