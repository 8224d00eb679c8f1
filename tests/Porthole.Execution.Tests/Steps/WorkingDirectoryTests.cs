using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Steps;

public sealed class WorkingDirectoryTests : IDisposable
{
    private readonly NodeHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData(null, "home/project")]
    [InlineData("~/project", "home/project")]
    [InlineData("~", "home")]
    [InlineData("app", "home/app")]
    [InlineData("/go/src/x", "root/go/src/x")]
    [InlineData("/", "root")]
    public async Task The_job_directory_maps_into_the_workspace(string? workingDirectory, string expected)
    {
        var job = Plans.Job([Plans.Run("pwd", "pwd")], workingDirectory: workingDirectory);

        await _harness.RunAsync(Plans.Assignment(job));

        Assert.EndsWith($"\n{Path.Combine(_harness.WorkspaceRoot, expected)}\n", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_step_directory_is_relative_to_the_job_directory_unless_absolute()
    {
        var job = Plans.Job(
            [Plans.Run("rel", "pwd", workingDirectory: "sub/dir"), Plans.Run("abs", "pwd", workingDirectory: "/srv/app"), Plans.Run("home", "pwd", workingDirectory: "~/cache")],
            workingDirectory: "~/project");

        await _harness.RunAsync(Plans.Assignment(job));

        Assert.EndsWith($"{Path.Combine(_harness.Home, "project", "sub", "dir")}\n", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
        Assert.EndsWith($"{Path.Combine(_harness.WorkspaceRoot, "root", "srv", "app")}\n", _harness.Reporter.StepLog(1), StringComparison.Ordinal);
        Assert.EndsWith($"{Path.Combine(_harness.Home, "cache")}\n", _harness.Reporter.StepLog(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_step_directory_that_leaves_the_workspace_fails_the_step()
    {
        var job = Plans.Job([Plans.Run("escape", "pwd", workingDirectory: "../../../../..")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.Contains("leads out of the node's workspace", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Step_scripts_live_outside_the_working_directory()
    {
        var job = Plans.Job([Plans.Run("ls", "ls -A . | wc -l")]);

        await _harness.RunAsync(Plans.Assignment(job));

        Assert.EndsWith("\n0\n", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
    }
}
