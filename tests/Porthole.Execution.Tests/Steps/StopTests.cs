using Microsoft.Extensions.Time.Testing;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Processes;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Steps;

public sealed class StopTests : IDisposable
{
    private readonly NodeHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Cancel_ends_the_whole_process_group_including_a_grandchild_and_skips_the_rest()
    {
        var pidFile = Path.Combine(_harness.Evidence, "grandchild.pid");
        var job = Plans.Job([
            Plans.Run("Long", $"sleep 300 & echo $! > {pidFile}; wait"),
            Plans.Run("Never", "echo never"),
            Plans.Run("Not even always", "echo never", when: StepCondition.Always),
        ]);
        using var cancel = new CancellationTokenSource();
        var pid = 0;
        try
        {
            var running = _harness.RunAsync(Plans.Assignment(job), cancel.Token);
            pid = await TestProcesses.ReadPidFileAsync(pidFile);
            Assert.True(ProcFs.IsAlive(pid));

            await cancel.CancelAsync();
            var completion = await running.WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(new NodeCompletion(NodeResult.Canceled, "The job was canceled."), completion);
            Assert.False(ProcFs.IsAlive(pid), "the grandchild should have been ended with its group");
            Assert.Equal(StepState.Canceled, _harness.Reporter.Final(0).State);
            Assert.Contains("The job was canceled", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
            Assert.Equal(StepState.Skipped, _harness.Reporter.Final(1).State);
            Assert.Equal(StepState.Skipped, _harness.Reporter.Final(2).State);
        }
        finally
        {
            TestProcesses.KillIfAlive(pid);
        }
    }

    [Fact]
    public async Task Cancel_escalates_to_SIGKILL_when_a_step_ignores_SIGTERM()
    {
        var pidFile = Path.Combine(_harness.Evidence, "stubborn.pid");
        var job = Plans.Job([Plans.Run("Stubborn", $"trap '' TERM; echo $$ > {pidFile}; while true; do sleep 0.05; done")]);
        using var cancel = new CancellationTokenSource();
        var pid = 0;
        try
        {
            var running = _harness.RunAsync(Plans.Assignment(job), cancel.Token);
            pid = await TestProcesses.ReadPidFileAsync(pidFile);

            await cancel.CancelAsync();
            var completion = await running.WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(NodeResult.Canceled, completion.Result);
            Assert.False(ProcFs.IsAlive(pid));
            Assert.Equal(137, _harness.Reporter.Final(0).ExitCode);
        }
        finally
        {
            TestProcesses.KillIfAlive(pid);
        }
    }

    [Fact]
    public async Task A_node_canceled_before_it_starts_runs_nothing()
    {
        var job = Plans.Job([Plans.Run("Build", "echo hi")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job), new CancellationToken(canceled: true));

        Assert.Equal(NodeResult.Canceled, completion.Result);
        Assert.Equal(StepState.Skipped, _harness.Reporter.Final(0).State);
    }

    [Fact]
    public async Task A_silent_step_times_out_after_its_no_output_timeout_and_always_steps_still_run()
    {
        var job = Plans.Job([
            Plans.Run("Chatty then silent", "echo one; sleep 0.1; echo two; sleep 300", noOutputTimeout: TimeSpan.FromMilliseconds(400)),
            Plans.Run("Next", "echo next"),
            Plans.Run("Cleanup", "echo cleanup", when: StepCondition.Always),
        ]);

        var completion = await _harness.RunAsync(Plans.Assignment(job)).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(NodeResult.TimedOut, completion.Result);
        Assert.Equal("Step 'Chatty then silent' printed nothing for 400ms and was ended.", completion.Message);
        var reporter = _harness.Reporter;
        Assert.Equal(StepState.TimedOut, reporter.Final(0).State);
        Assert.Contains("one\ntwo\nToo long with no output (exceeded 400ms)", reporter.StepLog(0), StringComparison.Ordinal);
        Assert.Equal(StepState.Skipped, reporter.Final(1).State);
        Assert.Equal(StepState.Success, reporter.Final(2).State);
    }

    [Fact]
    public async Task Output_keeps_a_step_alive_past_its_no_output_timeout()
    {
        // 2 s of ticks every 0.1 s against a 1 s timeout: twice the timeout in all, and a loaded machine's gaps well inside it.
        var job = Plans.Job([Plans.Run("Ticking", "for i in $(seq 1 20); do echo tick; sleep 0.1; done", noOutputTimeout: TimeSpan.FromSeconds(1))]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Success, completion.Result);
    }

    [Fact]
    public async Task The_default_no_output_timeout_of_10_minutes_applies_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var harness = new NodeHarness(clock);
        var job = Plans.Job([Plans.Run("Silent", "echo started; sleep 300")]);

        var running = harness.RunAsync(Plans.Assignment(job, jobTimeout: TimeSpan.FromHours(5)), defaultNoOutputTimeout: TimeSpan.FromMinutes(10));
        await harness.Reporter.WaitForLogAsync("started\n");
        clock.Advance(TimeSpan.FromMinutes(9));
        await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        Assert.False(running.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(1));
        var completion = await running.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(NodeResult.TimedOut, completion.Result);
        Assert.Contains("Too long with no output (exceeded 10m0s)", harness.Reporter.Log, StringComparison.Ordinal);
        var final = harness.Reporter.Final(0);
        Assert.Equal(clock.Start, final.StartedAt);
        Assert.Equal(clock.Start.AddMinutes(10), final.FinishedAt);
    }

    [Fact]
    public async Task The_job_time_cap_ends_the_running_step_and_skips_the_rest()
    {
        var job = Plans.Job([
            Plans.Run("Quick", "echo quick"),
            Plans.Run("Slow", "echo slow; sleep 300"),
            Plans.Run("Cleanup", "echo cleanup", when: StepCondition.Always),
        ]);

        // Long enough for the quick step on a loaded 2-core machine, short enough for a test; the cap's arithmetic is
        // tested on the injected clock below.
        var completion = await _harness.RunAsync(Plans.Assignment(job, jobTimeout: TimeSpan.FromSeconds(3))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new NodeCompletion(NodeResult.TimedOut, "The job reached its time cap of 3s."), completion);
        Assert.Equal(StepState.Success, _harness.Reporter.Final(0).State);
        Assert.Equal(StepState.TimedOut, _harness.Reporter.Final(1).State);
        Assert.Contains("The job reached its time cap of 3s", _harness.Reporter.StepLog(1), StringComparison.Ordinal);
        Assert.Equal(StepState.Skipped, _harness.Reporter.Final(2).State);
    }

    [Fact]
    public async Task The_job_time_cap_runs_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider();
        using var harness = new NodeHarness(clock);
        var job = Plans.Job([Plans.Run("Slow", "echo slow; sleep 300", noOutputTimeout: TimeSpan.FromHours(3))]);

        var running = harness.RunAsync(Plans.Assignment(job, jobTimeout: TimeSpan.FromHours(2)));
        await harness.Reporter.WaitForLogAsync("slow\n");
        clock.Advance(TimeSpan.FromHours(2));
        var completion = await running.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(new NodeCompletion(NodeResult.TimedOut, "The job reached its time cap of 2h0m0s."), completion);
    }

    [Fact]
    public async Task Cancel_also_ends_background_steps_and_reports_them_canceled()
    {
        var pidFile = Path.Combine(_harness.Evidence, "bg.pid");
        var job = Plans.Job([
            Plans.Run("Daemon", $"echo $$ > {pidFile}; sleep 300", background: true),
            Plans.Run("Long", "sleep 300"),
        ]);
        using var cancel = new CancellationTokenSource();
        var pid = 0;
        try
        {
            var running = _harness.RunAsync(Plans.Assignment(job), cancel.Token);
            pid = await TestProcesses.ReadPidFileAsync(pidFile);
            await _harness.Reporter.WaitForStateAsync(1, StepState.Running);

            await cancel.CancelAsync();
            var completion = await running.WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(NodeResult.Canceled, completion.Result);
            Assert.Equal(StepState.Canceled, _harness.Reporter.Final(0).State);
            Assert.Equal(StepState.Canceled, _harness.Reporter.Final(1).State);
            Assert.False(ProcFs.IsAlive(pid));
        }
        finally
        {
            TestProcesses.KillIfAlive(pid);
        }
    }
}
