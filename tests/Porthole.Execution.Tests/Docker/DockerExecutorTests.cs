using Docker.DotNet.Models;
using Porthole.Contracts.Plans;
using ContainerSpec = Porthole.Contracts.Plans.ContainerSpec;
using Porthole.Contracts.Runners;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Docker;

/// <summary>The docker executor on this machine's real engine, with the images scripts/test-images builds (R-CI-3).</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerExecutorTests : IAsyncLifetime
{
    public Task InitializeAsync() => DockerTestImages.EnsureAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Steps_run_in_the_primary_container_as_its_user_in_the_working_directory_and_nothing_is_left()
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job(
            [Plans.Run("who", "id -u; echo home=$HOME; pwd; echo shell=$0; echo node=$CIRCLE_NODE_INDEX; cat /etc/hostname")],
            new ContainerSpec(DockerTestImages.Busybox) { User = "circleci" });

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.Equal("Spin up environment", harness.Reporter.Final(0).Name);
        Assert.Equal(StepState.Success, harness.Reporter.Final(0).State);
        Assert.Contains($"Starting the primary container from {DockerTestImages.Busybox} as circleci", harness.Reporter.StepLog(0), StringComparison.Ordinal);
        var log = harness.Reporter.StepLog(1);
        Assert.Contains("3434\n", log, StringComparison.Ordinal);
        Assert.Contains("home=/home/circleci\n", log, StringComparison.Ordinal);
        Assert.Contains("/home/circleci/project\n", log, StringComparison.Ordinal);
        // No bash in the image: the default shell falls back to sh, as CircleCI's does.
        Assert.Contains("shell=/tmp/porthole/step-000.sh", log, StringComparison.Ordinal);
        Assert.Contains("node=0\n", log, StringComparison.Ordinal);
        Assert.DoesNotContain(Environment.MachineName, log, StringComparison.Ordinal);
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task What_a_step_writes_stays_for_the_next_and_BASH_ENV_carries_variables_with_bash()
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job(
            [
                Plans.Run("write", "echo 'export GREETING=hello' >> $BASH_ENV; echo kept > file.txt; echo bash=${BASH_VERSION%%.*}"),
                Plans.Run("read", "echo greeting=$GREETING; cat file.txt; ls -ld ."),
            ],
            new ContainerSpec(DockerTestImages.Debian) { User = "circleci" });

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.Contains("bash=5\n", harness.Reporter.StepLog(1), StringComparison.Ordinal);
        var log = harness.Reporter.StepLog(2);
        Assert.Contains("greeting=hello\n", log, StringComparison.Ordinal);
        Assert.Contains("kept\n", log, StringComparison.Ordinal);
        Assert.Contains(" circleci circleci ", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_step_fails_the_job_with_its_exit_code_and_skips_the_rest()
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job(
            [Plans.Run("fail", "echo before; exit 3"), Plans.Run("after", "echo never")],
            new ContainerSpec(DockerTestImages.Busybox));

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.Equal(3, harness.Reporter.Final(1).ExitCode);
        Assert.Equal(StepState.Skipped, harness.Reporter.Final(2).State);
        Assert.Contains("before\n", harness.Reporter.StepLog(1), StringComparison.Ordinal);
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Service_containers_answer_on_localhost_and_by_their_name()
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job(
            [Plans.Run("ping", DockerTestImages.WaitForService + "for host in localhost cache; do echo ping | nc -w 2 $host 6379; done")],
            new ContainerSpec(DockerTestImages.Busybox),
            new ContainerSpec(DockerTestImages.Service) { Name = "cache" });

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.True(NodeResult.Success == completion.Result, harness.Reporter.StepLog(1));
        Assert.Equal(2, harness.Reporter.StepLog(1).Split("PONG").Length - 1);
        Assert.Contains("Starting the service container cache", harness.Reporter.StepLog(0), StringComparison.Ordinal);
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task A_service_container_that_exits_at_once_fails_the_node_naming_it_with_its_last_lines()
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job([Plans.Run("never", "echo never")], new ContainerSpec(DockerTestImages.Busybox), new ContainerSpec(DockerTestImages.Exits) { Name = "db" });

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.Contains("'db'", completion.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 3", completion.Message, StringComparison.Ordinal);
        Assert.Contains("bad config", completion.Message, StringComparison.Ordinal);
        Assert.Equal(StepState.Failed, harness.Reporter.Final(0).State);
        Assert.Equal(StepState.Skipped, harness.Reporter.Final(1).State);
        Assert.Contains("bad config", harness.Reporter.StepLog(0), StringComparison.Ordinal);
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task A_checkout_in_an_image_without_git_says_what_the_image_lacks()
    {
        using var repository = new GitRepository();
        var commit = repository.Commit("README.md", "hello\n", "first");
        using var harness = new DockerHarness();
        var job = DockerHarness.Job([Plans.Checkout(), Plans.Run("never", "echo never")], new ContainerSpec(DockerTestImages.Busybox));

        var completion = await harness.RunAsync(Plans.Assignment(job, repositoryUrl: repository.Path, commitSha: commit));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.Equal($"The image {DockerTestImages.Busybox} has no git, which the checkout runs in the container: use an image with git, or install it there.", completion.Message);
        Assert.Equal(StepState.Skipped, harness.Reporter.Final(2).State);
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task A_missing_image_ends_the_node_as_an_infrastructure_failure_naming_it()
    {
        using var harness = new DockerHarness();
        var image = "127.0.0.1:9/porthole-missing/none:1";
        var job = DockerHarness.Job([Plans.Run("never", "echo never")], new ContainerSpec(image));

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.Contains($"The image '{image}' could not be pulled: ", completion.Message, StringComparison.Ordinal);
        Assert.Contains("Pulling image " + image, harness.Reporter.StepLog(0), StringComparison.Ordinal);
        await harness.AssertNothingLeftAsync();
    }

    [Theory]
    [InlineData("Porthole-Test/Capitals:1")]
    [InlineData("busybox:bad tag")]
    public async Task An_image_name_the_engine_cannot_read_ends_the_node_saying_so(string image)
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job([Plans.Run("never", "echo never")], new ContainerSpec(image));

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.StartsWith($"The image '{image}' could not be", completion.Message, StringComparison.Ordinal);
        Assert.Equal(StepState.Failed, harness.Reporter.Final(0).State);
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task An_image_without_a_shell_is_refused_with_a_clear_reason()
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job([Plans.Run("never", "echo never")], new ContainerSpec(DockerTestImages.NoShell));

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.True(completion.Message?.StartsWith($"The image '{DockerTestImages.NoShell}' has no /bin/sh", StringComparison.Ordinal), completion.Message);
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task An_empty_docker_list_is_an_infrastructure_failure_not_a_crash()
    {
        using var harness = new DockerHarness();
        var job = Plans.Job([Plans.Run("never", "echo never")]) with { Executor = new ExecutorSpec(ExecutorKind.Docker, null) };

        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.InfrastructureFail, completion.Result);
        Assert.Contains("names no image", completion.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_ends_a_step_that_forked_a_daemon_and_removes_every_container()
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job(
            [Plans.Run("daemon", "setsid sh -c 'sleep 1000' </dev/null >/dev/null 2>&1 & echo started; sleep 1000")],
            new ContainerSpec(DockerTestImages.Busybox));
        using var cancel = new CancellationTokenSource();

        var running = harness.RunAsync(Plans.Assignment(job), cancel.Token);
        await harness.Reporter.WaitForLogAsync("started");
        var top = await harness.Client.Containers.ListProcessesAsync((await harness.ContainersAsync())[0].ID, new ContainerListProcessesParameters());
        Assert.Contains(top.Processes ?? [], p => string.Join(' ', p).Contains("sleep 1000", StringComparison.Ordinal));
        await cancel.CancelAsync();
        var completion = await running;

        Assert.Equal(NodeResult.Canceled, completion.Result);
        Assert.Equal(StepState.Canceled, harness.Reporter.Final(1).State);
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task A_step_silent_for_too_long_is_ended_inside_the_container()
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job(
            [Plans.Run("silent", "echo go; sleep 60", noOutputTimeout: TimeSpan.FromSeconds(1)), Plans.Run("after", "echo after", when: StepCondition.Always)],
            new ContainerSpec(DockerTestImages.Busybox));

        var started = TimeProvider.System.GetTimestamp();
        var completion = await harness.RunAsync(Plans.Assignment(job));

        Assert.Equal(NodeResult.TimedOut, completion.Result);
        Assert.Equal(StepState.TimedOut, harness.Reporter.Final(1).State);
        Assert.Equal(StepState.Success, harness.Reporter.Final(2).State);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30), "the silent step was not ended");
    }

    [Fact]
    public async Task A_primary_container_removed_during_a_step_ends_the_node_saying_so()
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job([Plans.Run("long", "echo waiting; sleep 1000")], new ContainerSpec(DockerTestImages.Busybox));

        var running = harness.RunAsync(Plans.Assignment(job));
        await harness.Reporter.WaitForLogAsync("waiting");
        // What a job with the engine's socket could do to itself.
        await harness.Client.Containers.RemoveContainerAsync((await harness.ContainersAsync())[0].ID, new ContainerRemoveParameters { Force = true });
        var completion = await running;

        Assert.True(completion.Result == NodeResult.InfrastructureFail, completion.Message + "\n" + harness.Reporter.Log);
        Assert.Contains("The step ended with its container: the primary container ", completion.Message, StringComparison.Ordinal);
        await harness.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task An_engine_that_goes_away_during_a_step_fails_the_node_saying_so_and_its_containers_go_when_it_is_back()
    {
        using var folder = new TempFolder("porthole-engine-");
        using var forwarder = new EngineForwarder(folder.Combine("engine.sock"));
        using var harness = new DockerHarness(new Porthole.Execution.Docker.DockerSettings { Endpoint = forwarder.Endpoint });
        var job = DockerHarness.Job([Plans.Run("long", "echo waiting; sleep 1000")], new ContainerSpec(DockerTestImages.Busybox));

        var running = harness.RunAsync(Plans.Assignment(job));
        await harness.Reporter.WaitForLogAsync("waiting");
        // What a restart of dockerd does to its clients: every connection cut, nothing answers for a while.
        forwarder.Stop();
        await Task.Delay(TimeSpan.FromSeconds(2));
        forwarder.Start();
        var completion = await running;

        Assert.True(completion.Result == NodeResult.InfrastructureFail, completion.Message + "\n" + harness.Reporter.Log);
        Assert.Contains("The Docker engine went away during the step", completion.Message, StringComparison.Ordinal);
        await harness.AssertNothingLeftAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Ending_an_execs_session_ends_what_it_started_from_the_host_or_from_inside(bool signalsFromHost)
    {
        using var harness = new DockerHarness();
        var created = await harness.Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = DockerTestImages.Busybox,
            Entrypoint = ["/bin/sh", "-c", "while :; do sleep 3600; done"],
            Labels = new Dictionary<string, string> { [Porthole.Execution.Docker.ContainerLabels.Node] = harness.Tag },
            HostConfig = new HostConfig { Init = true },
        });
        await harness.Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        var container = new Porthole.Execution.Docker.PrimaryContainer(harness.Client, created.ID, TimeProvider.System, signalsFromHost);
        var (execId, stream) = await container.StartAsync(["/bin/sh", "-c", "sleep 1001 & sleep 1002"], null, null, "circleci", CancellationToken.None);
        using (stream)
        {
            await WaitForAsync(harness, created.ID, top => top.Contains("sleep 1001", StringComparison.Ordinal) && top.Contains("sleep 1002", StringComparison.Ordinal));
            var pid = (int)(await harness.Client.Exec.InspectContainerExecAsync(execId)).Pid;

            await container.EndSessionAsync(pid, TimeSpan.FromSeconds(1));

            await WaitForAsync(harness, created.ID, top => !top.Contains("sleep 100", StringComparison.Ordinal));
        }
    }

    private static async Task WaitForAsync(DockerHarness harness, string id, Func<string, bool> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            var top = await harness.Client.Containers.ListProcessesAsync(id, new ContainerListProcessesParameters { PsArgs = "-o pid,args" });
            if (condition(string.Join('\n', (top.Processes ?? []).Select(p => string.Join(' ', p)))))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the container's processes never became what the test waited for");
    }

    [Fact]
    public async Task Two_nodes_of_one_job_get_separate_containers_networks_and_workspaces()
    {
        using var harness = new DockerHarness();
        var job = DockerHarness.Job(
            [Plans.Run("mark", "cat /etc/hostname; ls /tmp; touch /tmp/node-$CIRCLE_NODE_INDEX; sleep 1; ls /tmp")],
            new ContainerSpec(DockerTestImages.Busybox));
        var first = new RecordingReporter();
        var second = new RecordingReporter();

        var results = await Task.WhenAll(
            harness.RunAsync(Plans.Assignment(job, nodeIndex: 0, nodeTotal: 2), tag: harness.Tag, workspace: harness.WorkspaceRoot + "-0", reporter: first),
            harness.RunAsync(Plans.Assignment(job, nodeIndex: 1, nodeTotal: 2), tag: harness.Tag + "-1", workspace: harness.WorkspaceRoot + "-1", reporter: second));

        Assert.All(results, r => Assert.Equal(NodeResult.Success, r.Result));
        Assert.DoesNotContain("node-1", first.StepLog(1), StringComparison.Ordinal);
        Assert.DoesNotContain("node-0", second.StepLog(1), StringComparison.Ordinal);
        Assert.NotEqual(first.StepLog(1).Split('\n')[1], second.StepLog(1).Split('\n')[1]);
        await harness.AssertNothingLeftAsync();
        await harness.AssertNothingLeftAsync(harness.Tag + "-1");
    }

    [Fact]
    public async Task The_checkout_clones_the_commit_into_the_working_directory_in_the_container()
    {
        using var repository = new GitRepository();
        var commit = repository.Commit("README.md", "hello from the repository\n", "first");
        using var harness = new DockerHarness();
        var job = DockerHarness.Job(
            [Plans.Checkout(), Plans.Run("look", "pwd; cat README.md; git log -1 --format=%H; stat -c %U README.md")],
            new ContainerSpec(DockerTestImages.Debian) { User = "circleci" });

        var completion = await harness.RunAsync(Plans.Assignment(job, repositoryUrl: repository.Path, commitSha: commit));

        Assert.True(completion.Result == NodeResult.Success, harness.Reporter.Log);
        var log = harness.Reporter.StepLog(2);
        Assert.Contains("/home/circleci/project\n", log, StringComparison.Ordinal);
        Assert.Contains("hello from the repository\n", log, StringComparison.Ordinal);
        Assert.Contains(commit + "\n", log, StringComparison.Ordinal);
        Assert.Contains("circleci\n", log, StringComparison.Ordinal);
    }
}
