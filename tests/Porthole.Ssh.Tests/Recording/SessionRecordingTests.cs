using System.Text.Json;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Recording;

/// <summary>
/// Every interactive session that can type is recorded (R-BEY-2): real sshd, real <c>ssh -tt</c> clients in terminals of
/// the test's own tmux, util-linux <c>script</c> on the node. The recording reaches the sink once its session is over, as
/// asciicast v2 with the job's secrets masked, named by who opened the session as the grants say; a debug session gives each writer a
/// recording of what the shared window showed while it was there; a command and a project that turned recording off give none; and what the session's account leaves in its recordings folder (a link
/// to a runner's file, a forged log) is never read through or taken for a session.
/// </summary>
public sealed class SessionRecordingTests
{
    private const string Secret = "Sup3rS3cretValue42";

    private static readonly IReadOnlyList<ProjectVariable> Variables = [new("SECRET", Secret, Secret: true)];

    private static List<JsonElement> Events(string cast)
    {
        var lines = cast.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(2, header.GetProperty("version").GetInt32());
        return [.. lines.Skip(1).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private static string Stream(List<JsonElement> events, string kind) =>
        string.Concat(events.Where(e => e[1].GetString() == kind).Select(e => e[2].GetString()));

    [Theory]
    [InlineData("shell")]
    [InlineData("debian")]
    public async Task An_interactive_session_is_recorded_with_what_was_typed_and_shown_and_its_secrets_masked(string executor)
    {
        ContainerSpec? container = null;
        if (executor == "debian")
        {
            await DockerTestImages.EnsureAsync();
            container = new ContainerSpec(DockerTestImages.Debian) { User = "circleci" };
        }

        await using var node = await SshNode.CreateAsync(variables: Variables, container: container, grace: TimeSpan.FromMinutes(5), record: true);
        await node.EnableAsync();
        Assert.Contains("Interactive sessions on this node are recorded", node.EnableText, StringComparison.Ordinal);
        var waiting = node.WaitAsync();

        // A command is not an interactive session: it is not recorded.
        var command = await node.SshAsync(node.Alice, "echo", "not-recorded");
        Assert.Equal(0, command.ExitCode);

        await using var terminals = new TerminalTmux(node.Folder.Combine("terminals.sock"));
        await terminals.OpenAsync("user", ["ssh", "-tt", .. node.SshArguments(node.Alice)]);
        await terminals.TypeLineAsync("user", "echo typed-$((6 * 7))");
        await terminals.WaitForAsync("user", "typed-42");
        // Waits for output, never for the echo of the line typed (which says done-$((1 + 1)), not done-2).
        await terminals.TypeLineAsync("user", $"echo shown:$SECRET; echo {Secret} >/dev/null; echo done-$((1 + 1))-secret");
        var screen = await terminals.WaitForAsync("user", "done-2-secret");
        Assert.Contains($"shown:{Secret}", screen, StringComparison.Ordinal);
        // Binary noise, without the escape and 8-bit control introducers: a query among them (ESC [ c) would have the
        // test's own terminal type its answer into the session, in front of the next command.
        await terminals.TypeLineAsync("user", "head -c 3000 /dev/urandom | tr -d '\\033\\220\\233\\235\\236\\237'; printf '\\033[0m\\n'; echo after-$((2 + 2))-noise");
        await terminals.WaitForAsync("user", "after-4-noise");
        await terminals.TypeLineAsync("user", "exit");
        await Wait.UntilAsync(() => terminals.ExitedAsync("user").GetAwaiter().GetResult(), "the session closed");

        // Taken once its session is over, while the node still waits (the next session may come within the grace).
        await Wait.UntilAsync(() => node.Sink.Recordings.Count > 0, "the session's recording", TimeSpan.FromSeconds(20));
        node.Endpoint.Release("the test");
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("1 session recording is kept with the job (on its page).", node.WaitText, StringComparison.Ordinal);

        var (file, cast) = Assert.Single(node.Sink.Recordings);
        Assert.Equal("alice", file.UserName);
        Assert.Equal(node.Alice.Fingerprint, file.Fingerprint);
        Assert.Equal(SshVia.Ssh, file.Via);
        Assert.False(file.Truncated);
        Assert.True(file.Seconds > 0, $"{file.Seconds} s");
        Assert.True(file.EndedAt >= file.StartedAt);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(cast), file.Size);

        var header = JsonDocument.Parse(cast.Split('\n')[0]).RootElement;
        Assert.Equal(120, header.GetProperty("width").GetInt32());
        Assert.Equal(30, header.GetProperty("height").GetInt32());
        var events = Events(cast);
        var shown = Stream(events, "o");
        var typed = Stream(events, "i");
        Assert.Contains("typed-42", shown, StringComparison.Ordinal);
        Assert.Contains("echo typed-$((6 * 7))", typed, StringComparison.Ordinal);
        Assert.Contains("shown:********", shown, StringComparison.Ordinal);
        Assert.Contains("echo ******** >/dev/null", typed, StringComparison.Ordinal);
        Assert.Contains("after-4-noise", shown, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, cast, StringComparison.Ordinal);
        Assert.DoesNotContain("not-recorded", cast, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(node.Node.Host.ScratchDirectory, "ssh", "recordings")));
    }

    [Fact]
    public async Task A_project_that_turned_recording_off_gets_no_recording()
    {
        await using var node = await SshNode.CreateAsync(variables: Variables, grace: TimeSpan.FromMinutes(5), record: false);
        await node.EnableAsync();
        Assert.DoesNotContain("recorded", node.EnableText, StringComparison.Ordinal);
        var waiting = node.WaitAsync();
        await using var terminals = new TerminalTmux(node.Folder.Combine("terminals.sock"));
        await terminals.OpenAsync("user", ["ssh", "-tt", .. node.SshArguments(node.Alice)]);
        await terminals.TypeLineAsync("user", "echo typed-$((6 * 7)); exit");
        await Wait.UntilAsync(() => terminals.ExitedAsync("user").GetAwaiter().GetResult(), "the session closed");
        node.Endpoint.Release("the test");
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(node.Sink.Recordings);
        Assert.DoesNotContain("recording", node.WaitText, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(node.Node.Host.ScratchDirectory, "ssh", "recordings")));
    }

    [Fact]
    public async Task A_debug_session_gives_each_writer_a_recording_from_the_screen_it_found_and_a_writer_that_leaves_leaves_the_others_as_they_are()
    {
        await using var node = await SshNode.CreateAsync(debug: new DebugRequest("alice", Quiet: false, TimeSpan.FromMinutes(30)), variables: Variables, record: true);
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);
        Assert.Contains("The debug session is recorded", node.DebugText, StringComparison.Ordinal);
        var socket = node.Folder.Combine("terminals.sock");
        await using var terminals = new TerminalTmux(socket);
        await terminals.OpenAsync("staying", ["ssh", "-tt", .. node.SshArguments(node.Alice)]);
        await node.WaitForDebugClientsAsync(1);
        await terminals.TypeLineAsync("staying", "echo before-$((1 + 1))");
        await terminals.WaitForAsync("staying", "before-2");
        await terminals.OpenAsync("leaving", ["ssh", "-tt", .. node.SshArguments(node.Alice)]);
        await node.WaitForDebugClientsAsync(2);
        await terminals.TypeLineAsync("leaving", "echo from-leaving-$((2 * 3))");
        await terminals.WaitForAsync("staying", "from-leaving-6");

        // The leaving writer's ssh client goes (its terminal closed): the other stays, in the same shell. (Under script,
        // recording a writer's terminal, its hang-up became a Ctrl-D typed into the shared window, which ended the session
        // for everyone: the recorder is a client of its own.)
        Assert.Equal(0, (await node.Programs.RunAsync("tmux", ["-S", socket, "kill-session", "-t", "leaving"])).ExitCode);
        await Wait.UntilAsync(() => node.Sink.Events.Count(e => e.Kind == SshEventKind.SessionEnded) == 1, "the leaving session's end");
        await terminals.TypeLineAsync("staying", $"echo still-$((4 * 4)) shown:$SECRET; printf '\\033[31mred-%s\\033[0m\\n' $((5 + 5))");
        await terminals.WaitForAsync("staying", "red-10");
        Assert.False(section.IsCompleted, node.DebugText);

        await terminals.TypeLineAsync("staying", "exit");
        await section.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("2 session recordings are kept with the job (on its page).", node.DebugText, StringComparison.Ordinal);
        Assert.Equal(2, node.Sink.Recordings.Count);
        var (staying, leaving) = (node.Sink.Recordings.MinBy(r => r.File.StartedAt), node.Sink.Recordings.MaxBy(r => r.File.StartedAt));
        Assert.All(node.Sink.Recordings, r => Assert.Equal(("alice", node.Alice.Fingerprint, SshVia.Ssh), (r.File.UserName, r.File.Fingerprint, r.File.Via)));
        Assert.True(leaving.File.StartedAt > staying.File.StartedAt);
        Assert.True(leaving.File.Seconds < staying.File.Seconds, $"{leaving.File.Seconds} s, {staying.File.Seconds} s");

        // Each saw the window from its attach: the one who came later found the earlier output on the screen.
        var stayingShown = Stream(Events(staying.Cast), "o");
        var leavingShown = Stream(Events(leaving.Cast), "o");
        Assert.Contains("before-2", stayingShown, StringComparison.Ordinal);
        Assert.Contains("before-2", leavingShown, StringComparison.Ordinal);
        Assert.Contains("from-leaving-6", leavingShown, StringComparison.Ordinal);
        Assert.Contains("from-leaving-6", stayingShown, StringComparison.Ordinal);
        Assert.Contains("still-16 shown:********", stayingShown, StringComparison.Ordinal);
        Assert.Contains("\u001b[31mred-10", stayingShown, StringComparison.Ordinal);
        Assert.DoesNotContain("still-16", leavingShown, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, staying.Cast + leaving.Cast, StringComparison.Ordinal);
        Assert.DoesNotContain(Events(staying.Cast), e => e[1].GetString() == "i");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(node.Node.Host.ScratchDirectory, "ssh", "recordings")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(node.Node.Host.ScratchDirectory, "ssh"), "*.cast"));
    }

    [Fact]
    public async Task What_a_session_leaves_in_the_recordings_folder_is_never_read_through_a_link_nor_taken_for_a_session()
    {
        await using var node = await SshNode.CreateAsync(grace: TimeSpan.FromMinutes(5), record: true);
        await node.EnableAsync();
        var waiting = node.WaitAsync();
        var recordings = Path.Combine(node.Node.Host.ScratchDirectory, "ssh", "recordings");
        var hostKey = await File.ReadAllTextAsync(node.HostKeyPath);

        // The session swaps its own logs for links to the runner's host key, and forges a log no session wrote.
        await using var terminals = new TerminalTmux(node.Folder.Combine("terminals.sock"));
        await terminals.OpenAsync("attacker", ["ssh", "-tt", .. node.SshArguments(node.Alice)]);
        await terminals.TypeLineAsync(
            "attacker",
            $"cd '{recordings}' && for f in *.io *.tm; do rm -f \"$f\" && ln -s '{node.HostKeyPath}' \"$f\"; done; "
            + "printf 'Script started\\nforged-text' > 99999-1.io; printf 'O 0.1 11\\n' > 99999-1.tm; ls -l; echo swapped-$((1 + 1))");
        await terminals.WaitForAsync("attacker", "swapped-2");
        await terminals.TypeLineAsync("attacker", "exit");
        await Wait.UntilAsync(() => terminals.ExitedAsync("attacker").GetAwaiter().GetResult(), "the session closed");
        node.Endpoint.Release("the test");
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(node.Sink.Recordings);
        Assert.DoesNotContain("PRIVATE KEY", node.WaitText, StringComparison.Ordinal);
        Assert.Contains("BEGIN OPENSSH PRIVATE KEY", hostKey, StringComparison.Ordinal);
        Assert.Equal(hostKey, await File.ReadAllTextAsync(node.HostKeyPath));
    }
}
