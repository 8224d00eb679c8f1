using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Docker;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Docker;

/// <summary>Which executor a job gets, from its plan and the runner's settings (R-CI-3).</summary>
[Collection(DockerCollection.Name)]
public sealed class ExecutorChoiceTests : IAsyncLifetime
{
    public Task InitializeAsync() => DockerTestImages.EnsureAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(ExecutorKind.MacOs, "macos xcode 15.4.0", null, "This job asks for macos xcode 15.4.0, which this runner cannot give: it offers the shell executor and the docker executor.")]
    [InlineData(ExecutorKind.Windows, null, "windows-server-2022-gui:current", "This job asks for a Windows machine (windows-server-2022-gui:current), which this runner cannot give: it offers the shell executor and the docker executor.")]
    public async Task A_job_for_a_machine_this_runner_lacks_ends_as_an_infrastructure_failure_naming_both(ExecutorKind kind, string? description, string? image, string message)
    {
        using var harness = new DockerHarness();
        var job = Plans.Job([Plans.Run("never", "echo never")]) with { Executor = new ExecutorSpec(kind, image) { Description = description } };

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.Equal(message, completion.Message);
        Assert.Contains(message, harness.Reporter.Log, StringComparison.Ordinal);
        Assert.Equal(StepState.Skipped, harness.Reporter.Final(0).State);
    }

    [Fact]
    public async Task A_runner_set_to_run_docker_jobs_on_the_shell_executor_says_so_at_the_top_of_the_log()
    {
        using var harness = new DockerHarness(new DockerSettings { RunOnShell = true });
        var job = DockerHarness.Job([Plans.Run("where", "test -d /tmp/porthole && echo in-a-container || echo on-the-host")], new ContainerSpec(DockerTestImages.Busybox));

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.StartsWith("\u001b[33mPorthole: This runner runs docker jobs on the shell executor (Runner:Docker:RunOnShell)", harness.Reporter.Log, StringComparison.Ordinal);
        Assert.Equal("where", harness.Reporter.Final(0).Name);
        Assert.Contains("on-the-host", harness.Reporter.StepLog(0), StringComparison.Ordinal);
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Setup_remote_docker_fails_naming_the_setting_when_the_runner_gives_no_engine()
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job(
            [RemoteDocker(), Plans.Run("after", "echo never")],
            new ContainerSpec(DockerTestImages.Busybox));

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.Equal(StepState.Failed, harness.Reporter.Final(1).State);
        Assert.Contains("Runner:Docker:RemoteDocker is off", harness.Reporter.StepLog(1), StringComparison.Ordinal);
        Assert.Equal(StepState.Skipped, harness.Reporter.Final(2).State);
    }

    [Fact]
    public async Task Setup_remote_docker_with_the_host_socket_gives_the_steps_after_it_the_engine_and_warns()
    {
        using var harness = new DockerHarness(new DockerSettings { RemoteDocker = RemoteDockerMode.HostSocket });
        var job = DockerHarness.Job(
            [Plans.Run("before", "echo host=${DOCKER_HOST:-none}"), RemoteDocker(), Plans.Run("after", "echo host=$DOCKER_HOST; test -S /var/run/docker.sock && echo socket")],
            new ContainerSpec(DockerTestImages.Busybox) { User = "circleci" });

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.Contains("setup_remote_docker gives this job the host's Docker engine", harness.Reporter.Log, StringComparison.Ordinal);
        Assert.Contains("host=none", harness.Reporter.StepLog(1), StringComparison.Ordinal);
        Assert.Contains("host=unix:///var/run/docker.sock\nsocket\n", harness.Reporter.StepLog(3), StringComparison.Ordinal);
        await harness.AssertNothingLeftAsync();
    }

    private static StepPlan RemoteDocker() =>
        new(StepKind.SetupRemoteDocker, "Setup a remote Docker engine", null, Plans.Bash, [], null, false, StepCondition.OnSuccess, null);
}
