using Porthole.Contracts.Plans;
using Porthole.Execution.Executors;
using Porthole.Execution.Sandbox;
using Porthole.Contracts.Runners;
using Porthole.Execution.Shell;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Sandbox;

/// <summary>
/// The node's sandbox on its own (decision 9, issue 9): what the probe finds on this machine (root, with bubblewrap, as
/// the README's set-up), and what a step in a sandboxed node can and cannot do. Needs root, as CI and the set-up run.
/// </summary>
public sealed class NodeSandboxTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_root_runners_node_runs_its_steps_as_the_job_account_with_the_hidden_folder_empty()
    {
        var secret = _folder.Combine("data", "admin-token");
        Directory.CreateDirectory(Path.GetDirectoryName(secret)!);
        await File.WriteAllTextAsync(secret, "the-admin-token");
        var isolation = await ProbeAsync();
        Assert.True(isolation.Sandboxed, isolation.Refusal ?? isolation.Warning);
        Assert.Equal("porthole", isolation.Account?.Name);
        Assert.Null(isolation.Warning);

        await using var node = await SetupAsync(isolation);
        Assert.Equal("porthole", node.Account?.Name);
        var (code, text) = await RunAsync(node, $"id -un; id -u; cat '{secret}' 2>&1; ls -a '{_folder.Combine("data")}'; touch '{_folder.Combine("data", "x")}' 2>&1; echo made > made.txt; ps -e -o pid= | wc -l");
        Assert.Equal(0, code);
        var lines = text.Split('\n');
        Assert.Equal("porthole", lines[0]);
        Assert.NotEqual("0", lines[1]);
        Assert.DoesNotContain("the-admin-token", text, StringComparison.Ordinal);
        Assert.Contains("No such file or directory", lines[2], StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.Combine("data", "x")));
        Assert.Equal("made\n", await File.ReadAllTextAsync(Path.Combine(node.HomeDirectory, "made.txt")));
    }

    [Fact]
    public async Task Destroy_ends_every_process_of_the_node_whatever_it_did_to_escape()
    {
        var marker = "porthole-escape-" + Guid.NewGuid().ToString("N")[..12];
        var node = await SetupAsync(await ProbeAsync());
        try
        {
            var (code, _) = await RunAsync(node, $"""
                env -i setsid nohup bash -c 'exec -a {marker}-a sleep 300' >/dev/null 2>&1 &
                (unset PORTHOLE_NODE_TAG; setsid bash -c 'exec -a {marker}-b sleep 300' >/dev/null 2>&1 &)
                sleep 0.3
                """);
            Assert.Equal(0, code);
            Assert.Equal(2, ProcessTitles.Find(marker).Count);
        }
        finally
        {
            await node.DestroyAsync();
        }

        Assert.Empty(ProcessTitles.Find(marker));
    }

    [Fact]
    public async Task A_runner_that_cannot_isolate_refuses_the_node_with_its_reason()
    {
        var executor = new ShellExecutor(TimeProvider.System, new ShellExecutorOptions { Isolation = new JobIsolation { Refusal = "no bwrap here" } });
        var refused = await Assert.ThrowsAsync<ExecutorException>(() =>
            executor.SetupAsync(new NodeSetup(_folder.Combine("ws"), new ExecutorSpec(ExecutorKind.Shell, null)), CancellationToken.None));
        Assert.Contains("no bwrap here", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_a_runner_cannot_keep_from_jobs_opens_every_jobs_log()
    {
        const string warning = "this runner cannot sandbox jobs (a test): a job runs as this account and can read the data folder.";
        var executor = new ShellExecutor(TimeProvider.System, new ShellExecutorOptions { Isolation = new JobIsolation { Warning = warning } });
        var reporter = new RecordingReporter();
        var completion = await new NodeRunner(TimeProvider.System, executor).RunAsync(
            Plans.Assignment(Plans.Job([Plans.Run("Hello", "echo hello")])),
            new NodeRunOptions(_folder.Combine("ws"), TimeSpan.FromMinutes(1)),
            reporter,
            CancellationToken.None);

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.StartsWith($"\u001b[33mPorthole: {warning}\u001b[0m\n", reporter.Log, StringComparison.Ordinal);
        Assert.Contains("hello", reporter.Log, StringComparison.Ordinal);
    }

    private Task<JobIsolation> ProbeAsync() =>
        IsolationProbe.DetectAsync(new IsolationSettings("porthole", RunJobsAsRoot: false, [_folder.Combine("data"), _folder.Combine("workspaces")], []), CancellationToken.None);

    private Task<IExecutorNode> SetupAsync(JobIsolation isolation)
    {
        var state = new IsolationState();
        state.Set(isolation);
        var executor = new ShellExecutor(TimeProvider.System, new ShellExecutorOptions { StopGrace = TimeSpan.FromSeconds(1) }, state);
        return executor.SetupAsync(new NodeSetup(_folder.Combine("workspaces", "1"), new ExecutorSpec(ExecutorKind.Shell, null)), CancellationToken.None);
    }

    private static async Task<(int Code, string Text)> RunAsync(IExecutorNode node, string script)
    {
        var output = new CollectingOutput();
        var environment = new Dictionary<string, string>(node.BaseEnvironment);
        var process = await node.StartAsync(new StepLaunch(["/bin/bash", "-c", script], environment, node.HomeDirectory), output, CancellationToken.None);
        var code = await process.Exited.WaitAsync(TimeSpan.FromSeconds(30));
        return (code, output.Text);
    }
}
