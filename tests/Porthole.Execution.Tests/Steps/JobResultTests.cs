using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Steps;

public sealed class JobResultTests : IDisposable
{
    private readonly NodeHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_passing_job_succeeds_and_reports_each_step_running_then_done()
    {
        var job = Plans.Job([Plans.Run("Say hello", "echo hello"), Plans.Run("Say bye", "echo bye")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(new NodeCompletion(NodeResult.Success, null), completion);
        var reports = _harness.Reporter.Reports;
        Assert.Equal(
            [(0, StepState.Running), (0, StepState.Success), (1, StepState.Running), (1, StepState.Success)],
            reports.Select(r => (r.Index, r.State)));
        Assert.All(reports.Where(r => r.State == StepState.Success), r => Assert.Equal(0, r.ExitCode));
        Assert.Equal("\u001b[1m==> Say hello\u001b[0m\nhello\n", _harness.Reporter.StepLog(0));
        Assert.Equal("\u001b[1m==> Say bye\u001b[0m\nbye\n", _harness.Reporter.StepLog(1));
        Assert.Equal(_harness.Reporter.LogBytes.Length, _harness.Reporter.Final(1).LogEnd);
        Assert.False(_harness.Reporter.Overlapped);
    }

    [Fact]
    public async Task A_failing_step_fails_the_job_skips_on_success_steps_and_runs_always_and_on_fail()
    {
        var job = Plans.Job([
            Plans.Run("Build", "echo building"),
            Plans.Run("Test", "echo testing; exit 3"),
            Plans.Run("Deploy", "echo deploying"),
            Plans.Run("Collect", "echo collecting", when: StepCondition.Always),
            Plans.Run("Report failure", "echo reporting", when: StepCondition.OnFail),
        ]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.Equal("Step 'Test' failed with exit code 3.", completion.Message);
        var reporter = _harness.Reporter;
        Assert.Equal(StepState.Success, reporter.Final(0).State);
        Assert.Equal(StepState.Failed, reporter.Final(1).State);
        Assert.Equal(3, reporter.Final(1).ExitCode);
        Assert.EndsWith("testing\nExited with code exit status 3\n", reporter.StepLog(1), StringComparison.Ordinal);
        Assert.Equal(StepState.Skipped, reporter.Final(2).State);
        Assert.Single(reporter.Reports, r => r.Index == 2);
        Assert.Equal(reporter.Final(2).LogStart, reporter.Final(2).LogEnd);
        Assert.DoesNotContain("deploying", reporter.Log, StringComparison.Ordinal);
        Assert.Equal(StepState.Success, reporter.Final(3).State);
        Assert.Contains("collecting", reporter.StepLog(3), StringComparison.Ordinal);
        Assert.Equal(StepState.Success, reporter.Final(4).State);
        Assert.Contains("reporting", reporter.StepLog(4), StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_fail_steps_are_skipped_when_the_job_passes()
    {
        var job = Plans.Job([Plans.Run("Build", "true"), Plans.Run("On failure", "echo nope", when: StepCondition.OnFail)]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.Equal(StepState.Skipped, _harness.Reporter.Final(1).State);
        Assert.DoesNotContain("nope", _harness.Reporter.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_failing_mid_script_fails_the_step_under_bash_eo_pipefail()
    {
        var job = Plans.Job([Plans.Run("Script", "echo one\nfalse\necho two")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.Equal(1, _harness.Reporter.Final(0).ExitCode);
        Assert.Contains("one\n", _harness.Reporter.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("two", _harness.Reporter.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_command_before_a_pipe_fails_the_step_with_pipefail()
    {
        var job = Plans.Job([Plans.Run("Pipe", "false | true\necho after")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.DoesNotContain("after", _harness.Reporter.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shell_without_options_runs_the_script_as_its_last_argument()
    {
        var job = Plans.Job([Plans.Run("sh", "false | true\necho \"$0\"", shell: "/bin/sh")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.Matches(@"/scratch/step-000\.sh\n", _harness.Reporter.StepLog(0));
    }

    [Fact]
    public async Task A_step_that_does_not_affect_the_result_can_fail_without_failing_the_job()
    {
        var job = Plans.Job([
            Plans.Run("after_script", "exit 4", affectsResult: false),
            Plans.Run("Next", "echo next"),
        ]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.Equal(StepState.Failed, _harness.Reporter.Final(0).State);
        Assert.Equal(4, _harness.Reporter.Final(0).ExitCode);
        Assert.Equal(StepState.Success, _harness.Reporter.Final(1).State);
    }

    [Fact]
    public async Task A_missing_shell_is_an_infrastructure_failure()
    {
        var job = Plans.Job([Plans.Run("Zsh", "echo hi", shell: "/no/such/zsh -e"), Plans.Run("Next", "echo next")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.Contains("/no/such/zsh", completion.Message, StringComparison.Ordinal);
        Assert.Equal(StepState.Failed, _harness.Reporter.Final(0).State);
        Assert.Contains("Porthole could not run this step: '/no/such/zsh' was not found", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
        Assert.Equal(StepState.Skipped, _harness.Reporter.Final(1).State);
    }

    [Fact]
    public async Task A_workspace_that_cannot_be_created_is_an_infrastructure_failure()
    {
        File.WriteAllText(_harness.WorkspaceRoot, "a file where the workspace should be");
        var job = Plans.Job([Plans.Run("Build", "echo hi")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.Contains("could not be created", completion.Message, StringComparison.Ordinal);
        Assert.Equal(StepState.Skipped, _harness.Reporter.Final(0).State);
    }

    [Fact]
    public async Task A_reporter_that_fails_stops_the_node_as_an_infrastructure_failure()
    {
        var job = Plans.Job([Plans.Run("Long", "echo hi; sleep 300"), Plans.Run("Next", "echo next")]);
        var reporter = new BrokenReporter();

        var completion = await new NodeRunner(TimeProvider.System, _harness.Executor)
            .RunAsync(Plans.Assignment(job), new NodeRunOptions(_harness.WorkspaceRoot, TimeSpan.FromMinutes(10)), reporter, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.Equal("The node's log could not be delivered: the spool disk is full", completion.Message);
        Assert.Equal(StepState.Skipped, reporter.Reports.Last(r => r.Index == 1).State);
    }

    [Fact]
    public async Task A_job_without_steps_succeeds()
    {
        var completion = await _harness.RunAsync(Plans.Assignment(Plans.Job([])));

        Assert.Equal(NodeResult.Success, completion.Result);
    }

    private sealed class BrokenReporter : INodeReporter
    {
        public List<StepReport> Reports { get; } = [];

        public ValueTask WriteLogAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => throw new IOException("the spool disk is full");

        public ValueTask StepChangedAsync(StepReport report, CancellationToken ct)
        {
            Reports.Add(report);
            return ValueTask.CompletedTask;
        }
    }
}
