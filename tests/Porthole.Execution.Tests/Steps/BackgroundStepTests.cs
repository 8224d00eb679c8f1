using Porthole.Contracts.Runners;
using Porthole.Execution.Processes;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Steps;

public sealed class BackgroundStepTests : IDisposable
{
    private readonly NodeHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_background_step_runs_beside_the_next_steps_and_is_ended_at_the_end_of_the_job()
    {
        var pidFile = Path.Combine(_harness.Evidence, "server.pid");
        var ready = Path.Combine(_harness.Evidence, "ready");
        var job = Plans.Job([
            Plans.Run("Server", $"echo $$ > {pidFile}; echo server up; touch {ready}; while true; do sleep 0.05; done", background: true),
            Plans.Run("Wait for server", $"while [ ! -f {ready} ]; do sleep 0.02; done; echo client done"),
        ]);
        var pid = 0;
        try
        {
            var completion = await _harness.RunAsync(Plans.Assignment(job));
            pid = await TestProcesses.ReadPidFileAsync(pidFile);

            Assert.Equal(NodeResult.Success, completion.Result);
            Assert.False(ProcFs.IsAlive(pid), "the background step's process should be gone");
            var reporter = _harness.Reporter;
            Assert.Equal(
                [(0, StepState.Running), (1, StepState.Running), (1, StepState.Success), (0, StepState.Success)],
                reporter.Reports.Select(r => (r.Index, r.State)));
            Assert.All(reporter.Reports.Where(r => r.Index == 0), r => Assert.True(r.Background));
            Assert.Null(reporter.Final(0).ExitCode);
            Assert.Contains("server up\n", reporter.StepLog(0), StringComparison.Ordinal);
            Assert.Contains("Ended the background step 'Server' at the end of the job.", reporter.StepLog(0), StringComparison.Ordinal);
            Assert.Contains("client done", reporter.StepLog(1), StringComparison.Ordinal);
        }
        finally
        {
            TestProcesses.KillIfAlive(pid);
        }
    }

    [Fact]
    public async Task A_failing_background_step_does_not_fail_the_job()
    {
        var done = Path.Combine(_harness.Evidence, "done");
        var job = Plans.Job([
            Plans.Run("Flaky daemon", $"echo dying; touch {done}; exit 7", background: true),
            Plans.Run("Main", $"while [ ! -f {done} ]; do sleep 0.02; done; sleep 0.2; echo main"),
        ]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Success, completion.Result);
        var final = _harness.Reporter.Final(0);
        Assert.Equal(StepState.Failed, final.State);
        Assert.Equal(7, final.ExitCode);
        Assert.Contains("Exited with code exit status 7", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Background_output_is_interleaved_by_whole_chunks()
    {
        var line = new string('b', 100);
        var done = Path.Combine(_harness.Evidence, "chatty-done");
        var job = Plans.Job([
            Plans.Run("Chatty", $"for i in $(seq 1 200); do echo {line}; done; touch {done}", background: true),
            Plans.Run("Main", $"for i in $(seq 1 200); do echo main-line; done; while [ ! -f {done} ]; do sleep 0.02; done"),
        ]);

        await _harness.RunAsync(Plans.Assignment(job));

        var lines = _harness.Reporter.Log.Split('\n');
        Assert.Equal(200, lines.Count(l => l == line));
        Assert.Equal(200, lines.Count(l => l == "main-line"));
    }

    [Fact]
    public async Task A_process_left_running_by_a_foreground_step_is_ended_when_the_node_ends()
    {
        var pidFile = Path.Combine(_harness.Evidence, "leftover.pid");
        var job = Plans.Job([
            Plans.Run("Start a daemon the wrong way", $"sleep 300 & echo $! > {pidFile}; echo started"),
            Plans.Run("Next", "echo next"),
        ]);
        var pid = 0;
        try
        {
            var completion = await _harness.RunAsync(Plans.Assignment(job)).WaitAsync(TimeSpan.FromSeconds(20));
            pid = await TestProcesses.ReadPidFileAsync(pidFile);

            Assert.Equal(NodeResult.Success, completion.Result);
            Assert.False(ProcFs.IsAlive(pid));
        }
        finally
        {
            TestProcesses.KillIfAlive(pid);
        }
    }

    [Fact]
    public async Task A_process_that_leaves_its_session_is_still_ended_when_the_node_ends()
    {
        var pidFile = Path.Combine(_harness.Evidence, "escaped.pid");
        var job = Plans.Job([
            Plans.Run("Daemonize", $"setsid sh -c 'echo $$ > {pidFile}; exec sleep 300' < /dev/null > /dev/null 2>&1 &\nwhile [ ! -s {pidFile} ]; do sleep 0.02; done"),
        ]);
        var pid = 0;
        try
        {
            var completion = await _harness.RunAsync(Plans.Assignment(job)).WaitAsync(TimeSpan.FromSeconds(20));
            pid = await TestProcesses.ReadPidFileAsync(pidFile);

            Assert.Equal(NodeResult.Success, completion.Result);
            Assert.False(ProcFs.IsAlive(pid));
        }
        finally
        {
            TestProcesses.KillIfAlive(pid);
        }
    }
}
