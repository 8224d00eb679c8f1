using System.Globalization;
using System.Text.RegularExpressions;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Processes;
using Porthole.Execution.Shell;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>Enable SSH's text, revocation, cancel and what is left when the node ends (R-SSH-3, R-SSH-9, R-SSH-11).</summary>
public sealed partial class LifecycleTests
{
    [Fact]
    public async Task Enable_SSH_prints_the_command_the_pinned_host_key_and_the_accepted_keys()
    {
        await using var node = await SshNode.CreateAsync();

        var result = await node.EnableAsync();

        Assert.Equal(StepState.Success, result.State);
        var info = Assert.Single(node.Sink.Ready);
        Assert.Equal(node.Info, info);
        var (hostFingerprint, _, _) = await ClientKey.KeygenFingerprintAsync(node.HostKeyPath + ".pub");
        var port = info.Port.ToString(CultureInfo.InvariantCulture);
        Assert.StartsWith(
            "You can now SSH into this box if your SSH public key is added:\n"
            + $"    $ ssh -p {port} {Environment.UserName}@127.0.0.1\n"
            + "Use the same SSH public key that you added to your Porthole account (porthole keys list).\n"
            + "ED25519 key fingerprint of the host is\n"
            + $"  {hostFingerprint}\n"
            + "This box will stay up for 2h0m0s, or until 10m0s passes without an active SSH session.\n",
            node.EnableText);
        Assert.Contains($"  {node.Alice.Fingerprint} ED25519 (alice)\n", node.EnableText, StringComparison.Ordinal);
        Assert.Contains("    $ porthole ssh 248927957 --node 0\n", node.EnableText, StringComparison.Ordinal);
        Assert.Contains($"    $ ssh -p {port} {Environment.UserName}@127.0.0.1 -- COMMAND\n", node.EnableText, StringComparison.Ordinal);
        Assert.Contains("interactive login shell in the job's working directory", node.EnableText, StringComparison.Ordinal);
        Assert.Contains("non-interactive shell", node.EnableText, StringComparison.Ordinal);
        Assert.Equal((hostFingerprint, node.Alice.Fingerprint), (info.HostKeyFingerprint, Assert.Single(info.AcceptedFingerprints)));
        Assert.InRange(info.Port, 64535, 65535);
    }

    [Fact]
    public async Task The_config_and_files_are_private_and_ready_for_a_hundred_sessions()
    {
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        var folder = Path.Combine(node.Node.ScratchDirectory, "ssh");

        // sshd -T prints the configuration as sshd understood it.
        var tested = await Programs.RunOnceAsync("/usr/sbin/sshd", "-T", "-f", Path.Combine(folder, "sshd_config"));
        Assert.True(tested.ExitCode == 0, tested.Error);
        var settings = tested.Output.Split('\n').Select(l => l.Split(' ', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        Assert.True(int.Parse(settings["maxstartups"].Split(':')[0], CultureInfo.InvariantCulture) >= 100, settings["maxstartups"]);
        Assert.True(int.Parse(settings["maxsessions"], CultureInfo.InvariantCulture) >= 100);
        Assert.Equal("127.0.0.1:" + node.Info.Port.ToString(CultureInfo.InvariantCulture), settings["listenaddress"]);
        Assert.Equal(("no", "no", "publickey", "no"), (settings["passwordauthentication"], settings["kbdinteractiveauthentication"], settings["authenticationmethods"], settings["x11forwarding"]));

        // Local forwarding to the node itself only, and only for the keys whose authorized_keys line allows it (none here).
        Assert.Equal(("local", "127.0.0.1:* localhost:*", "none"), (settings["allowtcpforwarding"], settings["permitopen"], settings["permitlisten"]));
        Assert.Equal(("no", "no", "no", "no"), (settings["allowstreamlocalforwarding"], settings["allowagentforwarding"], settings["permittunnel"], settings["gatewayports"]));

        foreach (var file in new[] { "environment.sh", "authorized_keys", "sshd_config", "attach.sh", "audit.log" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, file)));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(node.HostKeyPath));
        var line = Assert.Single(File.ReadAllLines(Path.Combine(folder, "authorized_keys")));
        Assert.Matches(AuthorizedKeyLine(), line);
        Assert.EndsWith($" alice {node.Alice.Fingerprint}\" {string.Join(' ', node.Alice.PublicLine.Split(' ').Take(2))}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_endpoints_at_once_get_different_ports()
    {
        await using var first = await SshNode.CreateAsync();
        await using var second = await SshNode.CreateAsync();

        await Task.WhenAll(first.EnableAsync(), second.EnableAsync());

        Assert.NotEqual(first.Info.Port, second.Info.Port);
        Assert.Equal(0, (await first.SshAsync(first.Alice, "true")).ExitCode);
        Assert.Equal(0, (await second.SshAsync(second.Alice, "true")).ExitCode);
    }

    [Fact]
    public async Task Removing_a_key_closes_its_open_session_within_a_second_and_refuses_it_from_then_on()
    {
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        var pidFile = Path.Combine(node.Evidence, "session.pid");
        var client = node.StartSsh(node.Alice, $"echo $$ > {pidFile}; exec sleep 60");
        var sessionPid = await ReadPidAsync(pidFile);
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 1, "the open session");
        await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted, "the session start");

        var started = TimeProvider.System.GetTimestamp();
        await node.Endpoint.UpdateKeysAsync([]);
        var closedClient = await client.WaitAsync(TimeSpan.FromSeconds(5));
        var took = TimeProvider.System.GetElapsedTime(started);

        Assert.True(took < TimeSpan.FromSeconds(1), $"closing took {took}");
        Assert.Equal(255, closedClient.ExitCode);
        Assert.False(ProcFs.IsAlive(sessionPid));
        Assert.Equal(0, node.Endpoint.OpenSessionCount);
        Assert.Contains(node.Sink.Events, e => e.Kind == SshEventKind.SessionEnded && e.Fingerprint == node.Alice.Fingerprint);
        var again = await node.SshAsync(node.Alice, "true");
        Assert.Equal(255, again.ExitCode);
        Assert.Contains("Permission denied (publickey)", again.Error, StringComparison.Ordinal);
        await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.KeyRefused && e.Fingerprint == node.Alice.Fingerprint, "the refusal");
    }

    [Fact]
    public async Task Removing_a_key_also_closes_its_connections_without_a_session()
    {
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();

        // -N asks for no session: nothing runs, no audit line names the connection; only its socket does.
        var client = node.Programs.Start("ssh", ["-N", .. node.SshArguments(node.Alice)]);
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 1, "the open connection");

        await node.Endpoint.UpdateKeysAsync([]);

        Assert.Equal(255, (await client.WaitAsync(TimeSpan.FromSeconds(1))).ExitCode);
        Assert.Equal(0, node.Endpoint.OpenSessionCount);
    }

    [Fact]
    public async Task A_port_in_use_is_skipped()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        await using var node = await SshNode.CreateAsync(configure: o => o with { PortRangeStart = takenPort, PortRangeEnd = Math.Min(takenPort + 20, 65535) });

        await node.EnableAsync();

        Assert.NotEqual(takenPort, node.Info.Port);
        Assert.Equal(0, (await node.SshAsync(node.Alice, "true")).ExitCode);
    }

    [Fact]
    public async Task Destroying_the_node_alone_ends_sshd_its_connections_and_sessions()
    {
        // What the runner's cleanup does after a crash: end the node's processes by its tag, with no endpoint left to help.
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        var pidFile = Path.Combine(node.Evidence, "session.pid");
        var client = node.StartSsh(node.Alice, $"echo $$ > {pidFile}; exec sleep 60");
        var idle = node.Programs.Start("ssh", ["-N", .. node.SshArguments(node.Alice)]);
        var sessionPid = await ReadPidAsync(pidFile);
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 2, "the open connections");
        var sshdPid = await SshdPidAsync(node);
        var connectionPids = ProcessTable.Read().ChildrenOf(sshdPid).ToList();
        Assert.True(connectionPids.Count >= 2);

        await node.Node.DestroyAsync();

        Assert.Equal(255, (await client.WaitAsync(TimeSpan.FromSeconds(5))).ExitCode);
        Assert.Equal(255, (await idle.WaitAsync(TimeSpan.FromSeconds(5))).ExitCode);
        foreach (var pid in connectionPids.Append(sshdPid).Append(sessionPid))
        {
            Assert.False(ProcFs.IsAlive(pid), $"process {pid} is still alive");
        }
    }

    [Fact]
    public async Task After_a_runner_crash_the_nodes_tag_finds_sshd_its_connections_and_sessions()
    {
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        var pidFile = Path.Combine(node.Evidence, "session.pid");
        var client = node.StartSsh(node.Alice, $"echo $$ > {pidFile}; exec sleep 60");
        var idle = node.Programs.Start("ssh", ["-N", .. node.SshArguments(node.Alice)]);
        var sessionPid = await ReadPidAsync(pidFile);
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 2, "the open connections");
        var sshdPid = await SshdPidAsync(node);
        var sshdTree = ProcessTable.Read().Tree(sshdPid);
        var tag = File.ReadAllLines(Path.Combine(node.Node.ScratchDirectory, "ssh", "environment.sh"))
            .Single(l => l.StartsWith($"export {LeftoverProcesses.TagVariable}=", StringComparison.Ordinal))
            .Split('=', 2)[1].Trim('\'');

        // What the runner does at its next start, with nothing but the tag it wrote down.
        await LeftoverProcesses.EndTaggedAsync(tag, TimeProvider.System, CancellationToken.None);

        Assert.Equal(255, (await client.WaitAsync(TimeSpan.FromSeconds(5))).ExitCode);
        Assert.Equal(255, (await idle.WaitAsync(TimeSpan.FromSeconds(5))).ExitCode);

        // A killed process may still be on its way out (its exit not yet reaped) for a moment after the signal.
        foreach (var pid in sshdTree.Append(sessionPid))
        {
            await Wait.UntilAsync(() => !ProcFs.IsAlive(pid), $"process {pid} to end", TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task A_connection_killed_from_outside_is_seen_as_ended()
    {
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        var pidFile = Path.Combine(node.Evidence, "session.pid");
        var client = node.StartSsh(node.Alice, $"echo $$ > {pidFile}; exec sleep 60");
        var sessionPid = await ReadPidAsync(pidFile);
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 1, "the open session");
        var connectionPid = ProcessTable.Read().All.Single(p => p.Pid == sessionPid).ParentPid;

        // sshd says nothing when its connection process is killed; the endpoint's probe sees the socket gone.
        Assert.True(ProcessSignals.Send(connectionPid, ProcessSignals.SigKill));

        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 0, "the connection seen as ended", TimeSpan.FromSeconds(5));
        await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionEnded, "the session end");
        Assert.Equal(255, (await client.WaitAsync(TimeSpan.FromSeconds(5))).ExitCode);
    }

    [Fact]
    public async Task Adding_a_key_lets_it_in()
    {
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        Assert.Equal(255, (await node.SshAsync(node.Stranger, "true")).ExitCode);

        await node.Endpoint.UpdateKeysAsync([node.Grant("alice", node.Alice), node.Grant("bob", node.Stranger)]);
        var result = await node.SshAsync(node.Stranger, "echo in");

        Assert.True(result.ExitCode == 0, result.Error);
        var accepted = await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.KeyAccepted, "the accepted key");
        Assert.Equal((node.Stranger.Fingerprint, "bob"), (accepted.Fingerprint, accepted.UserName));
    }

    [Fact]
    public async Task Cancel_ends_Wait_for_SSH_at_once_and_closes_every_session_and_nothing_is_left()
    {
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        var pidFile = Path.Combine(node.Evidence, "session.pid");
        var escapedPidFile = Path.Combine(node.Evidence, "escaped.pid");
        var client = node.StartSsh(node.Alice, $"setsid sleep 120 & echo $! > {escapedPidFile}; echo $$ > {pidFile}; exec sleep 60");
        var sessionPid = await ReadPidAsync(pidFile);
        var escapedPid = await ReadPidAsync(escapedPidFile);
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 1, "the open session");
        var sshdPid = await SshdPidAsync(node);
        var connectionPids = ProcessTable.Read().ChildrenOf(sshdPid).ToList();
        Assert.NotEmpty(connectionPids);

        using var cancel = new CancellationTokenSource();
        var waiting = node.WaitAsync(cancel.Token);
        await Wait.UntilAsync(() => node.WaitText.Contains("This box will stay up", StringComparison.Ordinal), "the Wait for SSH text");
        Assert.False(waiting.IsCompleted);
        var started = TimeProvider.System.GetTimestamp();
        await cancel.CancelAsync();
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        var took = TimeProvider.System.GetElapsedTime(started);

        Assert.True(took < TimeSpan.FromSeconds(2), $"cancel took {took}");
        Assert.Equal(StepState.Success, result.State);
        Assert.EndsWith("The job was canceled; closing SSH sessions.\n", node.WaitText, StringComparison.Ordinal);
        Assert.Equal(255, (await client.WaitAsync(TimeSpan.FromSeconds(5))).ExitCode);
        await node.Node.DestroyAsync();
        foreach (var pid in connectionPids.Append(sshdPid).Append(sessionPid).Append(escapedPid))
        {
            Assert.False(ProcFs.IsAlive(pid), $"process {pid} is still alive");
        }

        Assert.Contains(node.Sink.Events, e => e.Kind == SshEventKind.SessionEnded);
    }

    [Fact]
    public async Task A_session_opened_during_the_steps_counts_and_its_leftovers_end_with_the_node()
    {
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        var daemonPidFile = Path.Combine(node.Evidence, "daemon.pid");

        // A one-off command that leaves a daemon behind (nohup + setsid, as a user might start a server).
        var result = await node.SshAsync(node.Alice, $"setsid nohup sleep 120 > /dev/null 2>&1 < /dev/null & echo $! > {daemonPidFile}");
        Assert.True(result.ExitCode == 0, result.Error);
        var daemonPid = await ReadPidAsync(daemonPidFile);
        Assert.True(ProcFs.IsAlive(daemonPid));
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 0, "the closed session");

        var waited = await node.WaitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(StepState.Success, waited.State);
        Assert.EndsWith("The last SSH session closed; the node ends.\n", node.WaitText, StringComparison.Ordinal);
        Assert.False(ProcFs.IsAlive(daemonPid), "the session's daemon outlived Wait for SSH");
    }

    /// <summary>sshd's listener: sshd names itself so only after it said it listens, so a test may look for it a moment early.</summary>
    internal static async Task<int> SshdPidAsync(SshNode node)
    {
        List<ProcStat> listeners = [];
        await Wait.UntilAsync(
            () =>
            {
                listeners = [.. ProcessTable.Read().All.Where(p => File.Exists($"/proc/{p.Pid}/cmdline")
                    && File.ReadAllText($"/proc/{p.Pid}/cmdline").Contains(node.Node.Host.ScratchDirectory, StringComparison.Ordinal)
                    && File.ReadAllText($"/proc/{p.Pid}/cmdline").Contains("[listener]", StringComparison.Ordinal))];
                return listeners.Count > 0;
            },
            "sshd's listener title");
        return Assert.Single(listeners).Pid;
    }

    internal static async Task<int> ReadPidAsync(string path)
    {
        await Wait.UntilAsync(() => File.Exists(path) && File.ReadAllText(path).EndsWith('\n'), $"the pid file {path}");
        return int.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^restrict,pty,command=\"exec '/bin/bash' '/[^']+/attach.sh' alice SHA256:[A-Za-z0-9+/]+\" ssh-ed25519 AAAA[A-Za-z0-9+/=]+$")]
    private static partial Regex AuthorizedKeyLine();
}
