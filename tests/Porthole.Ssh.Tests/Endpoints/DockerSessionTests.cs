using System.Globalization;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>
/// SSH into a docker node (issue 10): sshd stays on the runner's host with its keys and audit, and the session lands in
/// the primary container, as its user, in the job's directory, with the job's environment.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DockerSessionTests : IAsyncLifetime
{
    private SshNode _node = null!;

    public async Task InitializeAsync()
    {
        await DockerTestImages.EnsureAsync();
        _node = await SshNode.CreateAsync(container: new ContainerSpec(DockerTestImages.Debian) { User = "circleci" });
        var enabled = await _node.EnableAsync();
        Assert.True(enabled.State == StepState.Success, _node.EnableText);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_command_lands_in_the_container_as_its_user_in_the_jobs_directory_with_its_environment()
    {
        var result = await _node.SshAsync(_node.Alice, "id -u; pwd; echo $HOME; echo $CIRCLE_JOB; echo $FROM_STEPS; echo \"$SECRET_TOKEN\"; test -e /.dockerenv && echo in-a-container");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(
            ["3434", "/home/circleci/project", "/home/circleci", SshNode.JobName, "yes", "it's a \"secret\" $HOME `x`", "in-a-container"],
            result.Output.TrimEnd('\n').Split('\n'));
        Assert.Equal("/home/circleci/project", _node.WorkingDirectory);
    }

    [Fact]
    public async Task An_exit_code_comes_back_from_the_container()
    {
        var result = await _node.SshAsync(_node.Alice, "exit 7");

        Assert.Equal(7, result.ExitCode);
    }

    [Fact]
    public async Task An_interactive_session_is_a_login_shell_in_the_container_with_the_jobs_environment()
    {
        var input = "echo \"hi-$CIRCLE_JOB-$FROM_STEPS\"; shopt -q login_shell && echo is-login; tty; id -un; case :$PATH: in *:/opt/from-steps:*) echo steps-path;; esac; pwd; exit\n";
        var result = await _node.Programs.RunAsync("ssh", ["-tt", .. _node.SshArguments(_node.Alice)], input);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        var lines = result.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains(lines, l => l.EndsWith("hi-build-yes", StringComparison.Ordinal));
        Assert.Contains("is-login", lines);
        Assert.Contains(lines, l => l.StartsWith("/dev/pts/", StringComparison.Ordinal));
        Assert.Contains("circleci", lines);
        Assert.Contains("steps-path", lines);
        Assert.Contains("/home/circleci/project", lines);
    }

    [Fact]
    public async Task Files_go_into_the_container_and_come_out_with_scp_sftp_and_rsync()
    {
        var port = _node.Info.Port.ToString(CultureInfo.InvariantCulture);
        var remote = $"{_node.Info.User}@{_node.Info.Host}";
        var local = Path.Combine(_node.Evidence, "in.txt");
        await File.WriteAllTextAsync(local, "sent in\n");

        var scpIn = await _node.Programs.RunAsync("scp", ["-F", "/dev/null", "-P", port, .. _node.ClientOptions(_node.Alice), local, $"{remote}:in.txt"]);
        Assert.True(scpIn.ExitCode == 0, "scp in: " + scpIn.Error);
        var inside = await _node.SshAsync(_node.Alice, "cat in.txt; stat -c %U in.txt; echo out > out.txt");
        Assert.Equal("sent in\ncircleci\n", inside.Output);

        var scpOut = await _node.Programs.RunAsync("scp", ["-F", "/dev/null", "-P", port, .. _node.ClientOptions(_node.Alice), $"{remote}:out.txt", Path.Combine(_node.Evidence, "scp.txt")]);
        var batch = Path.Combine(_node.Evidence, "sftp-batch");
        await File.WriteAllTextAsync(batch, $"get out.txt {Path.Combine(_node.Evidence, "sftp.txt")}\n");
        var sftp = await _node.Programs.RunAsync("sftp", ["-F", "/dev/null", "-P", port, .. _node.ClientOptions(_node.Alice), "-b", batch, remote]);
        var ssh = string.Join(' ', ["ssh", "-F", "/dev/null", "-p", port, .. _node.ClientOptions(_node.Alice)]);
        var rsync = await _node.Programs.RunAsync("rsync", ["-e", ssh, $"{remote}:out.txt", Path.Combine(_node.Evidence, "rsync.txt")]);

        Assert.True(scpOut.ExitCode == 0, "scp out: " + scpOut.Error);
        Assert.True(sftp.ExitCode == 0, "sftp: " + sftp.Error);
        Assert.True(rsync.ExitCode == 0, "rsync: " + rsync.Error);
        foreach (var copy in new[] { "scp.txt", "sftp.txt", "rsync.txt" })
        {
            Assert.Equal("out\n", await File.ReadAllTextAsync(Path.Combine(_node.Evidence, copy)));
        }
    }

    [Fact]
    public async Task A_session_cannot_reach_the_engine_the_runners_files_or_root()
    {
        var result = await _node.SshAsync(_node.Alice, "ls -la /var/run/docker.sock 2>&1; ls /tmp/porthole/ssh 2>&1; su -c id root </dev/null 2>&1; grep CapEff /proc/self/status");

        Assert.Contains("No such file or directory", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("enter.sock", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("uid=0", result.Output, StringComparison.Ordinal);
        Assert.Contains("CapEff:\t0000000000000000", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_keys_session_in_the_container_ends_with_its_processes()
    {
        var client = _node.StartSsh(_node.Alice, "exec sleep 600");
        await Wait.UntilAsync(() => _node.Endpoint.OpenSessionCount == 1, "the open session");
        string[] seen = [];
        try
        {
            await Wait.UntilAsync(async () => (seen = await ContainerCommandsAsync()).Any(c => c.Contains("sleep 600", StringComparison.Ordinal)), "the session's process in the container");
        }
        catch (TimeoutException)
        {
            Assert.Fail(string.Join(" | ", seen));
        }

        await _node.Endpoint.UpdateKeysAsync([]);

        await client.WaitAsync(TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(async () => !(await ContainerCommandsAsync()).Any(c => c.Contains("sleep 600", StringComparison.Ordinal)), "the session's process in the container to end");
        Assert.Equal(0, _node.Endpoint.OpenSessionCount);
    }

    /// <summary>The commands running in the node's primary container, as the engine lists them.</summary>
    private async Task<string[]> ContainerCommandsAsync()
    {
        var ids = await _node.Programs.RunAsync("/usr/bin/docker", ["ps", "-q", "--filter", $"label=porthole.node={_node.DockerTag}", "--filter", "label=porthole.role=primary"]);
        var top = await _node.Programs.RunAsync("/usr/bin/docker", ["top", ids.Output.Trim(), "-o", "pid,args"]);
        return [.. top.Output.Split('\n'), ids.Output, ids.Error, top.Error];
    }
}

/// <summary>An image without an SFTP server: scp and sftp say what it lacks, ssh still works.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerSessionWithoutSftpTests : IAsyncLifetime
{
    private SshNode _node = null!;

    public async Task InitializeAsync()
    {
        await DockerTestImages.EnsureAsync();
        _node = await SshNode.CreateAsync(container: new ContainerSpec(DockerTestImages.Busybox));
        var enabled = await _node.EnableAsync();
        Assert.True(enabled.State == StepState.Success, _node.EnableText);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Scp_says_the_image_has_no_sftp_server_and_a_command_still_runs_with_sh()
    {
        var port = _node.Info.Port.ToString(CultureInfo.InvariantCulture);
        var scp = await _node.Programs.RunAsync("scp", ["-F", "/dev/null", "-P", port, .. _node.ClientOptions(_node.Alice), $"{_node.Info.User}@{_node.Info.Host}:x", Path.Combine(_node.Evidence, "x")]);
        var batch = Path.Combine(_node.Evidence, "sftp-batch");
        await File.WriteAllTextAsync(batch, "get x\n");
        var sftp = await _node.Programs.RunAsync("sftp", ["-F", "/dev/null", "-P", port, .. _node.ClientOptions(_node.Alice), "-b", batch, $"{_node.Info.User}@{_node.Info.Host}"]);
        var command = await _node.SshAsync(_node.Alice, "echo $0; id -u");

        Assert.NotEqual(0, scp.ExitCode);
        Assert.NotEqual(0, sftp.ExitCode);
        Assert.Contains($"Porthole: scp and sftp cannot work here: the image {DockerTestImages.Busybox} has no sftp-server", sftp.Error, StringComparison.Ordinal);
        Assert.True(command.ExitCode == 0, command.Error);
        Assert.Equal("/bin/sh\n0\n", command.Output);
    }
}

/// <summary>Debug mode on a docker node: the shared session's shells are in the container, and so are the steps its functions run.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerDebugTests : IAsyncLifetime
{
    private static readonly IReadOnlyList<StepPlan> Steps =
    [
        new(StepKind.Run, "Say hello", "echo \"hello-$CIRCLE_JOB-$STEP_VAR-uid$(id -u) in $(pwd)\"\ntest -e /.dockerenv && echo in-the-container\nexit 3\n", "/bin/bash -eo pipefail",
            [new EnvironmentVariable("STEP_VAR", "step-value")], "sub", false, StepCondition.OnSuccess, null),
        new(StepKind.Run, "script", "echo \"script-phase-$((40 + 2))\"\n", "/bin/bash", [], null, false, StepCondition.OnSuccess, null, true, "script"),
    ];

    public Task InitializeAsync() => DockerTestImages.EnsureAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_shared_sessions_shells_and_the_steps_they_run_are_in_the_container()
    {
        await using var node = await SshNode.CreateAsync(
            debug: new DebugRequest("BanzaiMan", Quiet: false, TimeSpan.FromMinutes(30)),
            steps: Steps,
            container: new ContainerSpec(DockerTestImages.Debian) { User = "circleci" });
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);

        var client = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice)], input: string.Empty);
        await node.WaitForDebugClientsAsync(1);
        client.Type("test -e /.dockerenv && echo window-in-container-$(id -u)-$((6 * 7))\r");
        await WaitForPaneAsync(node, "window-in-container-3434-42");

        client.Type("porthole_run_step 0; travis_run_script\r");
        await Wait.UntilAsync(() => node.DebugText.Contains("travis_run_script exited with 0", StringComparison.Ordinal), "the steps' exits in the log", TimeSpan.FromSeconds(20));
        var pane = await PaneAsync(node);
        Assert.Contains("hello-build-step-value-uid3434 in /home/circleci/project/sub", pane, StringComparison.Ordinal);
        Assert.Contains("in-the-container", pane, StringComparison.Ordinal);
        Assert.Contains("script-phase-42", pane, StringComparison.Ordinal);
        var log = node.DebugText;
        Assert.Contains("porthole_run_step 0 exited with 3", log, StringComparison.Ordinal);
        Assert.Contains("window-in-container-3434-42", log, StringComparison.Ordinal);

        // Clients of other sizes (a browser's terminal) share the window at the size of whoever typed last.
        Assert.Equal("window-size latest\n", (await node.TmuxAsync("show-options", "-g", "window-size")).Output);

        client.Type("exit\r");
        var result = await section.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(StepState.Success, result.State);
        Assert.Contains("The debug session ended: the last window was exited.", node.DebugText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_root_job_that_links_its_record_to_a_host_file_gets_nothing_of_it_into_the_log()
    {
        await using var node = await SshNode.CreateAsync(
            debug: new DebugRequest("BanzaiMan", Quiet: true, TimeSpan.FromMinutes(30)),
            steps: Steps,
            container: new ContainerSpec(DockerTestImages.Debian));
        var secret = Path.Combine(node.Evidence, "admin-token");
        await File.WriteAllTextAsync(secret, "host-secret-" + Guid.NewGuid().ToString("N") + "\n");
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);

        // Root in the container may replace the file the runner reads its records from: a link to the host's file.
        var client = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice)], input: string.Empty);
        await node.WaitForDebugClientsAsync(1);
        client.Type($"rm /tmp/porthole/debug_record.log && ln -s {secret} /tmp/porthole/debug_record.log && echo linked-$((6 * 7))\r");
        await WaitForPaneAsync(node, "linked-42");
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.DoesNotContain("host-secret-", node.DebugText, StringComparison.Ordinal);
        client.Type("exit\r");
        await section.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("host-secret-", node.DebugText, StringComparison.Ordinal);
    }

    private static async Task<string> PaneAsync(SshNode node) =>
        (await node.TmuxAsync("capture-pane", "-p", "-J", "-S", "-200", "-t", "debug")).Output;

    private static async Task WaitForPaneAsync(SshNode node, string text)
    {
        string pane = string.Empty;
        try
        {
            await Wait.UntilAsync(async () => (pane = await PaneAsync(node)).Contains(text, StringComparison.Ordinal), $"'{text}' in the pane");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Waited for '{text}' in the pane:\n{pane}\n{node.DebugText}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DockerCollection
{
    public const string Name = "docker";
}
