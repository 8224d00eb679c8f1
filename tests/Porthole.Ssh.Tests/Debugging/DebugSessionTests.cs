using Microsoft.Extensions.Time.Testing;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Processes;
using Porthole.Execution.Sections;
using Porthole.Execution.Shell;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Debugging;

/// <summary>Debug mode with the real sshd, the real tmux and real <c>ssh -tt</c> clients (R-DBG-2…6).</summary>
public sealed class DebugSessionTests
{
    /// <summary>A plan as the Pipeline makes it: a CircleCI run step with its own variable and directory, and a Travis phase.</summary>
    private static readonly IReadOnlyList<StepPlan> Steps =
    [
        new(StepKind.Run, "Say hello", "echo \"hello-$CIRCLE_JOB-$STEP_VAR-$FROM_STEPS in $(pwd)\"\n[ -z \"${TYPED_IN_SESSION-}\" ] || echo leaked\nexit 3\n", "/bin/bash -eo pipefail",
            [new EnvironmentVariable("STEP_VAR", "step-value")], "sub", false, StepCondition.OnSuccess, null),
        new(StepKind.Run, "script", "echo \"script-phase-$((40 + 2))\"\n", "/bin/bash", [], null, false, StepCondition.OnSuccess, null, true, "script"),
    ];

    [Fact]
    public async Task Every_connection_shares_one_session_whose_functions_run_the_steps_and_which_is_echoed_to_the_log()
    {
        await using var node = await SshNode.CreateAsync(debug: new DebugRequest("BanzaiMan", Quiet: false, TimeSpan.FromMinutes(30)), steps: Steps);
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);

        var text = node.DebugText;
        Assert.Contains("Debug build initiated by BanzaiMan\nSetting up debug tools.\nPreparing debug sessions.\n", text, StringComparison.Ordinal);
        Assert.Contains(
            $"Use the following SSH command to access the interactive debugging environment:\nssh -p {node.Info.Port} {node.Info.User}@127.0.0.1\nThis debug build will stay alive for 30 minutes.\n",
            text,
            StringComparison.Ordinal);
        Assert.DoesNotContain("quiet mode", text, StringComparison.Ordinal);
        Assert.Contains(node.Alice.Fingerprint, text, StringComparison.Ordinal);
        Assert.Contains("porthole ssh 248927957", text, StringComparison.Ordinal);

        var a = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice)], input: string.Empty);
        await node.WaitForDebugClientsAsync(1);
        var b = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice)], input: string.Empty);
        await node.WaitForDebugClientsAsync(2);
        await Wait.UntilAsync(() => JoinLines(node.DebugText) == 2, "both joins in the log");
        Assert.Contains($"Porthole: alice ({node.Alice.Fingerprint}) joined from 127.0.0.1", node.DebugText, StringComparison.Ordinal);
        var messages = await node.TmuxAsync("show-messages");
        Assert.True(messages.ExitCode == 0, messages.Error);

        // What A types, runs in the one pane B sees too.
        a.Type("export TYPED_IN_SESSION=1; echo from-a-$((6 * 7))\r");
        await WaitForPaneAsync(node, "from-a-42");

        // A watcher sees, but its keys reach nobody.
        var watcher = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice, "watch")], input: string.Empty);
        await node.WaitForDebugClientsAsync(3);
        await Wait.UntilAsync(() => node.DebugText.Contains("joined from 127.0.0.1, read-only", StringComparison.Ordinal), "the watcher's join");
        watcher.Type("echo from-watcher-$((5 * 5))\r");
        b.Type("echo from-b-$((7 * 7))\r");
        await WaitForPaneAsync(node, "from-b-49");
        Assert.DoesNotContain("from-watcher", await PaneAsync(node), StringComparison.Ordinal);

        // The step functions: the runner's environment (the step's own on top, nothing of the session), directory and exit code.
        a.Type("porthole_run_step 0\r");
        await Wait.UntilAsync(() => node.DebugText.Contains("porthole_run_step 0 exited with 3", StringComparison.Ordinal), "step 0's exit in the log", TimeSpan.FromSeconds(10));
        Assert.Contains($"hello-build-step-value-yes in {node.WorkingDirectory}/sub", await PaneAsync(node), StringComparison.Ordinal);
        // The function printed its script first (R-BEY-4); the script's own output never says leaked.
        var pane = await PaneAsync(node);
        Assert.Contains("+ [ -z \"${TYPED_IN_SESSION-}\" ] || echo leaked", pane, StringComparison.Ordinal);
        Assert.DoesNotContain(pane.Split('\n'), line => line.Trim() == "leaked");
        b.Type("travis_run_script && porthole_run_say_hello\r");
        await Wait.UntilAsync(() => node.DebugText.Contains("porthole_run_say_hello exited with 3", StringComparison.Ordinal), "the named steps' exits", TimeSpan.FromSeconds(10));
        var log = node.DebugText;
        Assert.Contains("==> porthole_run_step 0\n", log, StringComparison.Ordinal);
        Assert.Contains("==> travis_run_script\n", log, StringComparison.Ordinal);
        Assert.Contains("travis_run_script exited with 0\n", log, StringComparison.Ordinal);

        // Not quiet: the session itself is in the log, its output and what was typed.
        Assert.Contains("from-a-42", log, StringComparison.Ordinal);
        Assert.Contains("script-phase-42", log, StringComparison.Ordinal);
        Assert.Contains("This is a debug session of job 248927957", log, StringComparison.Ordinal);

        // Exiting the last window ends the section, the session and every connection.
        var panePid = int.Parse((await node.TmuxAsync("list-panes", "-t", "debug", "-F", "#{pane_pid}")).Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        a.Type("exit\r");
        var result = await section.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal((StepState.Success, true), (result.State, result.SkipSteps));
        Assert.EndsWith(
            "All remaining steps, including caching and deploy, will be skipped.\nThe debug session ended: the last window was exited.\n",
            node.DebugText,
            StringComparison.Ordinal);
        var bOutput = await b.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("from-a-42", bOutput.Output, StringComparison.Ordinal);
        await a.WaitAsync(TimeSpan.FromSeconds(10));
        await watcher.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(ProcessExists(panePid));
    }

    [Fact]
    public async Task A_quiet_session_logs_only_the_step_records_and_a_keep_alive_until_its_time_is_up()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2024-05-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var node = await SshNode.CreateAsync(endpointTime: time, debug: new DebugRequest("alice", Quiet: true, TimeSpan.FromMinutes(30)), steps: Steps);
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);
        Assert.Contains(
            "This build is running in quiet mode. No session output will be displayed.\nThis debug build will stay alive for 30 minutes.\n",
            node.DebugText,
            StringComparison.Ordinal);

        var typed = await node.TmuxAsync("send-keys", "-t", "debug", "travis_run_script", "Enter");
        Assert.True(typed.ExitCode == 0, typed.Error);
        await Wait.UntilAsync(() => node.DebugText.Contains("travis_run_script exited with 0", StringComparison.Ordinal), "the phase's exit in the log");
        await WaitForPaneAsync(node, "script-phase-42");
        Assert.Contains("==> travis_run_script\n", node.DebugText, StringComparison.Ordinal);
        Assert.DoesNotContain("script-phase-42", node.DebugText, StringComparison.Ordinal);
        Assert.DoesNotContain("This is a debug session", node.DebugText, StringComparison.Ordinal);

        var before = node.DebugText.Length;
        time.Advance(TimeSpan.FromMinutes(1));
        await Wait.UntilAsync(() => node.DebugText.Length > before, "a keep-alive");
        Assert.Equal(".", node.DebugText[before..]);

        var serverPid = ServerPid(node);
        time.Advance(TimeSpan.FromMinutes(29));
        var result = await section.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal((StepState.Success, true), (result.State, result.SkipSteps));
        Assert.EndsWith("The debug session ended: 30m0s are up.\n", node.DebugText, StringComparison.Ordinal);
        Assert.Contains(".\nAll remaining steps, including caching and deploy, will be skipped.\n", node.DebugText, StringComparison.Ordinal);
        Assert.False(ProcessExists(serverPid));
    }

    [Fact]
    public async Task A_cancel_ends_the_session_and_the_node_leaves_no_process_behind()
    {
        using var cancel = new CancellationTokenSource();
        await using var node = await SshNode.CreateAsync(debug: new DebugRequest("alice", Quiet: false, TimeSpan.Zero), steps: Steps);
        var section = node.DebugAsync(cancel.Token);
        await node.WaitForDebugAsync(section);
        Assert.Contains("This debug build will stay alive for 30 minutes.\n", node.DebugText, StringComparison.Ordinal);
        var client = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice)], input: string.Empty);
        await node.WaitForDebugClientsAsync(1);
        client.Type("sleep 300 &\r");
        await Wait.UntilAsync(() => PanePids(node).Count > 0, "the session's processes");
        var tag = TagOf(node);
        var tagged = ProcessTable.Read().WithEnvironmentEntry($"{LeftoverProcesses.TagVariable}={tag}").ToList();
        Assert.NotEmpty(tagged);

        await cancel.CancelAsync();
        var result = await section.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal((StepState.Success, true), (result.State, result.SkipSteps));
        Assert.EndsWith("The debug session ended: the job was canceled.\n", node.DebugText, StringComparison.Ordinal);
        await client.WaitAsync(TimeSpan.FromSeconds(10));

        await node.Node.DestroyAsync();
        Assert.Empty(ProcessTable.Read().WithEnvironmentEntry($"{LeftoverProcesses.TagVariable}={tag}"));
        Assert.DoesNotContain(tagged, ProcessExists);
    }

    [Fact]
    public async Task A_read_only_key_sees_the_shared_session_and_its_keystrokes_never_reach_it()
    {
        await using var node = await SshNode.CreateAsync(debug: new DebugRequest("alice", Quiet: false, TimeSpan.FromMinutes(30)), steps: Steps, readOnlyBob: true);
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);
        Assert.Contains(node.Bob.Fingerprint, node.DebugText, StringComparison.Ordinal);

        var alice = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice)], input: string.Empty);
        await node.WaitForDebugClientsAsync(1);

        // Bob asks for a plain login, not for watch: his key's forced command attaches him read-only anyway.
        var bob = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Bob)], input: string.Empty);
        await node.WaitForDebugClientsAsync(2);
        await Wait.UntilAsync(
            () => node.DebugText.Contains($"Porthole: bob ({node.Bob.Fingerprint}) joined from 127.0.0.1, read-only", StringComparison.Ordinal),
            "bob's read-only join");
        await WaitForClientsReadOnlyAsync(node, ["0", "1"]);
        var started = await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted && e.UserName == "bob", "bob's session");
        Assert.Equal((node.Bob.Fingerprint, string.Empty), (started.Fingerprint, started.Command));

        alice.Type("echo from-alice-$((6 * 7))\r");
        await WaitForPaneAsync(node, "from-alice-42");
        bob.Type("echo from-bob-$((5 * 5))\r");
        bob.Type("\u0002c");

        // Bob's keys had time to arrive; what Alice types after them runs, and nothing of Bob's did.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        alice.Type("echo after-bob-$((3 * 3))\r");
        await WaitForPaneAsync(node, "after-bob-9");
        Assert.DoesNotContain("from-bob", await PaneAsync(node), StringComparison.Ordinal);
        Assert.DoesNotContain("from-bob", node.DebugText, StringComparison.Ordinal);
        var windows = await node.TmuxAsync("list-windows", "-t", "debug", "-F", "#{window_index}");
        Assert.Equal("0", windows.Output.Trim());

        // A read-only key runs no command, copies no file: it only watches.
        var evidence = Path.Combine(node.Evidence, "ran");
        var command = await node.SshAsync(node.Bob, $"touch {evidence}; echo ran");
        Assert.Equal((1, string.Empty), (command.ExitCode, command.Output));
        Assert.Contains("Porthole: this key may only watch this debug session, read-only", command.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(evidence));
        var sftp = await node.Programs.RunAsync("sftp", ["-F", "/dev/null", "-P", node.Info.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. node.ClientOptions(node.Bob), "-b", "-", $"{node.Info.User}@{node.Info.Host}"], "ls\n");
        Assert.NotEqual(0, sftp.ExitCode);

        // Alice ends the session once Bob's terminal has shown what she ran (tmux sends it to each client in its own
        // time); Bob saw everything that ran in it.
        await Wait.UntilAsync(() => bob.OutputSoFar.Contains("after-bob-9", StringComparison.Ordinal), "Alice's last command on Bob's terminal");
        alice.Type("exit\r");
        await section.WaitAsync(TimeSpan.FromSeconds(15));
        var watched = await bob.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("from-alice-42", watched.Output, StringComparison.Ordinal);
        Assert.Contains("after-bob-9", watched.Output, StringComparison.Ordinal);
        await alice.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_key_made_read_only_is_closed_and_then_only_watches_and_made_read_write_again_types()
    {
        await using var node = await SshNode.CreateAsync(debug: new DebugRequest("alice", Quiet: false, TimeSpan.FromMinutes(30)), steps: Steps);
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);
        var authorizedKeys = Path.Combine(node.Node.ScratchDirectory, "ssh", "authorized_keys");
        var typing = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice)], input: string.Empty);
        await node.WaitForDebugClientsAsync(1);
        await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted, "alice's session");

        // Only the flag changes: the line is rewritten, and the session that could type is closed at once.
        await node.Endpoint.UpdateKeysAsync([node.Grant("alice", node.Alice, readOnly: true)]);
        Assert.Contains($" {node.Alice.Fingerprint} ro\" {node.Alice.PublicLine.Split(' ')[0]} ", await File.ReadAllTextAsync(authorizedKeys), StringComparison.Ordinal);
        await typing.WaitAsync(TimeSpan.FromSeconds(10));

        var watching = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice)], input: string.Empty);
        await WaitForClientsReadOnlyAsync(node, ["1"]);
        watching.Type("echo from-watching-$((5 * 5))\r");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var typed = await node.TmuxAsync("send-keys", "-t", "debug", "echo after-watching-$((3 * 3))", "Enter");
        Assert.True(typed.ExitCode == 0, typed.Error);
        await WaitForPaneAsync(node, "after-watching-9");
        Assert.DoesNotContain("from-watching", await PaneAsync(node), StringComparison.Ordinal);

        // Back to read-write: the line loses its flag, the watcher stays, and a new connection types again.
        await node.Endpoint.UpdateKeysAsync([node.Grant("alice", node.Alice)]);
        var keys = await File.ReadAllTextAsync(authorizedKeys);
        Assert.Contains($" {node.Alice.Fingerprint}\" {node.Alice.PublicLine.Split(' ')[0]} ", keys, StringComparison.Ordinal);
        Assert.DoesNotContain(" ro\"", keys, StringComparison.Ordinal);
        Assert.False(watching.HasExited);
        var again = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice)], input: string.Empty);
        await WaitForClientsReadOnlyAsync(node, ["0", "1"]);
        again.Type("echo from-again-$((7 * 7))\r");
        await WaitForPaneAsync(node, "from-again-49");

        again.Type("exit\r");
        await section.WaitAsync(TimeSpan.FromSeconds(15));
        await again.WaitAsync(TimeSpan.FromSeconds(10));
        await watching.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Waits until the attached clients' read-only flags (0 or 1, sorted) are <paramref name="expected"/>.</summary>
    private static async Task WaitForClientsReadOnlyAsync(SshNode node, string[] expected)
    {
        string[] flags = [];
        var started = TimeProvider.System.GetTimestamp();
        while (!flags.SequenceEqual(expected))
        {
            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException($"Waited for clients read-only {string.Join(',', expected)}; they are {string.Join(',', flags)}.\n{node.DebugText}");
            }

            await Task.Delay(50);
            var list = await node.TmuxAsync("list-clients", "-t", "debug", "-F", "#{client_readonly}");
            flags = list.ExitCode == 0 ? [.. list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)] : [];
        }
    }

    private static int JoinLines(string text) => text.Split('\n').Count(l => l.Contains(" joined from ", StringComparison.Ordinal));

    private static async Task<string> PaneAsync(SshNode node) =>
        (await node.TmuxAsync("capture-pane", "-p", "-J", "-S", "-200", "-t", "debug")).Output;

    private static async Task WaitForPaneAsync(SshNode node, string text)
    {
        var started = TimeProvider.System.GetTimestamp();
        string pane;
        while (!(pane = await PaneAsync(node)).Contains(text, StringComparison.Ordinal))
        {
            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"Waited for '{text}' in the pane:\n{pane}");
            }

            await Task.Delay(50);
        }
    }

    private static List<int> PanePids(SshNode node)
    {
        var table = ProcessTable.Read();
        return [.. table.Tree(ServerPid(node)).Where(p => p != ServerPid(node))];
    }

    /// <summary>The tmux server's pid, from the process that holds the socket's name on its command line.</summary>
    private static int ServerPid(SshNode node)
    {
        var socket = node.Endpoint.DebugSocketPath!;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid))
            {
                try
                {
                    var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                    if (arguments.Contains("-D") && arguments.Contains(socket))
                    {
                        return pid;
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        throw new InvalidOperationException("No tmux server.");
    }

    private static string TagOf(SshNode node) =>
        File.ReadAllLines(Path.Combine(node.Node.ScratchDirectory, "ssh", "environment.sh"))
            .Single(l => l.StartsWith($"export {LeftoverProcesses.TagVariable}=", StringComparison.Ordinal))
            .Split('=', 2)[1].Trim('\'');

    private static bool ProcessExists(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
