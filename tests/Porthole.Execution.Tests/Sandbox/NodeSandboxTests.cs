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

    [Fact]
    public async Task A_local_repository_is_copied_for_the_job_account_beside_the_first_steps_and_a_checkout_waits_for_the_copy()
    {
        using var repository = new GitRepository();
        var commit = repository.Commit("README", "copied for the job account\n", "first");
        File.SetUnixFileMode(repository.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var isolation = await ProbeAsync();
        var reporter = new RecordingReporter();
        var completion = await new NodeRunner(TimeProvider.System, Executor(isolation)).RunAsync(
            Plans.Assignment(Plans.Job([Plans.Run("Before", $"test ! -e '{repository.Path}' && echo hidden"), Plans.Checkout(), Plans.Run("After", "cat README; id -un")]), repositoryUrl: repository.Path, commitSha: commit),
            new NodeRunOptions(_folder.Combine("workspaces", "2"), TimeSpan.FromMinutes(1)),
            reporter,
            CancellationToken.None);

        Assert.True(completion.Result == NodeResult.Success, reporter.Log);
        Assert.Contains("hidden", reporter.Log, StringComparison.Ordinal);
        Assert.Contains("copied for the job account\nporthole", reporter.Log.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_job_accounts_home_in_the_sandbox_is_the_nodes_so_ssh_in_a_sh_step_reads_the_keys_add_ssh_keys_installed()
    {
        using var keys = new TempFolder("porthole-keys-");
        var key = await StepHandlers.TestSshKey.MakeAsync(keys.Path);
        var reporter = new RecordingReporter();
        var job = Plans.Job([
            StepHandlers.AddSshKeysTests.AddSshKeys(),
            Plans.Run("Look", """
                echo "passwd home: $(getent passwd "$(id -u)" | cut -d: -f6)"
                echo "HOME: $HOME"
                ssh -G git.example.com | grep '^identityfile '
                test ! -e ~/.ssh/porthole-bin && echo "no wrapper"
                """, shell: "/bin/sh -eu"),
        ]);
        var completion = await new NodeRunner(TimeProvider.System, Executor(await ProbeAsync())).RunAsync(
            Plans.Assignment(job) with { SshKeys = [key.ForNode("git.example.com")] },
            new NodeRunOptions(_folder.Combine("workspaces", "5"), TimeSpan.FromMinutes(1)),
            reporter,
            CancellationToken.None);

        Assert.True(completion.Result == NodeResult.Success, reporter.Log);
        var home = _folder.Combine("workspaces", "5", "home");
        var look = reporter.StepLog(1);
        Assert.Contains($"passwd home: {home}\n", look, StringComparison.Ordinal);
        Assert.Contains($"HOME: {home}\n", look, StringComparison.Ordinal);
        Assert.Contains($"identityfile {home}/.ssh/{key.FileName}\n", look, StringComparison.Ordinal);
        Assert.Contains("no wrapper", look, StringComparison.Ordinal);

        // Only the sandbox's view: the host's password file is as it was.
        Assert.DoesNotContain(home, await File.ReadAllTextAsync("/etc/passwd"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_without_a_checkout_gets_no_copy_of_the_local_repository()
    {
        using var repository = new GitRepository();
        var commit = repository.Commit("README", "not for this job\n", "first");
        var workspace = _folder.Combine("workspaces", "3");
        var reporter = new RecordingReporter();
        var completion = await new NodeRunner(TimeProvider.System, Executor(await ProbeAsync())).RunAsync(
            Plans.Assignment(Plans.Job([Plans.Run("Only", "echo ran")]), repositoryUrl: repository.Path, commitSha: commit),
            new NodeRunOptions(workspace, TimeSpan.FromMinutes(1)),
            reporter,
            CancellationToken.None);

        Assert.True(completion.Result == NodeResult.Success, reporter.Log);
        Assert.Empty(Directory.EnumerateDirectories(workspace, "repository.git", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Destroying_a_node_while_its_repository_copy_is_made_ends_the_copy_and_leaves_no_git_behind()
    {
        // Enough loose objects that the copy (a clone without hard links) is still going when the node is destroyed.
        using var repository = new GitRepository();
        var marker = Path.GetFileName(repository.Path);
        for (var i = 0; i < 400; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(repository.Path, $"f{i}.txt"), $"file {i}\n");
        }

        repository.Git("add", ".");
        repository.Git("-c", "user.name=t", "-c", "user.email=t@porthole.invalid", "commit", "--quiet", "-m", "many");
        var workspace = _folder.Combine("workspaces", "4");
        var executor = Executor(await ProbeAsync());
        var node = await executor.SetupAsync(
            new NodeSetup(workspace, new ExecutorSpec(ExecutorKind.Shell, null)) { ReadOnlyPaths = [repository.Path] },
            CancellationToken.None);
        await node.DestroyAsync();

        Assert.Empty(ProcessesNaming(marker));
        Directory.Delete(workspace, recursive: true);
    }

    private static ShellExecutor Executor(JobIsolation isolation)
    {
        var state = new IsolationState();
        state.Set(isolation);
        return new ShellExecutor(TimeProvider.System, new ShellExecutorOptions { StopGrace = TimeSpan.FromSeconds(1) }, state);
    }

    /// <summary>The processes whose command line holds <paramref name="marker"/> anywhere.</summary>
    private static List<int> ProcessesNaming(string marker)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(directory), out var pid) && File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(marker, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    private Task<JobIsolation> ProbeAsync() =>
        IsolationProbe.DetectAsync(new IsolationSettings("porthole", RunJobsAsRoot: false, [_folder.Combine("data"), _folder.Combine("workspaces")], []), CancellationToken.None);

    private Task<IExecutorNode> SetupAsync(JobIsolation isolation)
    {
        var executor = Executor(isolation);
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
