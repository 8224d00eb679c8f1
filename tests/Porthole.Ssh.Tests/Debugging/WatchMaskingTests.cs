using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Debugging;

/// <summary>
/// What watchers see is masked like the log (R-DBG-7): read-only clients of a debug session (<c>-- watch</c>, read-only
/// keys) see the job's secrets as <c>********</c>, where those who type see them; and the SSH audit's command is masked.
/// The clients are real <c>ssh -tt</c> in terminals of a tmux of the test's own, whose screens are read as shown.
/// </summary>
public sealed class WatchMaskingTests
{
    private const string Secret = "Sup3rS3cretValue42";

    private static readonly IReadOnlyList<ProjectVariable> Variables =
    [
        new("SECRET", Secret, Secret: true),
        new("PLAIN", "plain-value-7", Secret: false),
    ];

    [Fact]
    public async Task A_watchers_screen_shows_the_secret_masked_where_the_writers_shows_it()
    {
        await using var node = await SshNode.CreateAsync(
            debug: new DebugRequest("alice", Quiet: false, TimeSpan.FromMinutes(30)),
            readOnlyBob: true,
            variables: Variables);
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);
        await using var terminals = new TerminalTmux(node.Folder.Combine("terminals.sock"));
        await terminals.OpenAsync("writer", ["ssh", "-tt", .. node.SshArguments(node.Alice)]);
        await node.WaitForDebugClientsAsync(1);
        await terminals.OpenAsync("watcher", ["ssh", "-tt", .. node.SshArguments(node.Alice, "watch")]);
        await terminals.OpenAsync("bob", ["ssh", "-tt", .. node.SshArguments(node.Bob)]);
        await node.WaitForDebugClientsAsync(3);

        await terminals.TypeLineAsync("writer", "echo secret:$SECRET plain:$PLAIN; echo twice:$SECRET$SECRET:end");
        var writer = await terminals.WaitForAsync("writer", $"twice:{Secret}{Secret}:end");
        Assert.Contains($"secret:{Secret} plain:plain-value-7", writer, StringComparison.Ordinal);

        // The watcher (ssh -- watch) and the read-only key see the same screen, with the secret masked as the log masks it.
        foreach (var name in (string[])["watcher", "bob"])
        {
            var screen = await terminals.WaitForAsync(name, "twice:****************:end");
            Assert.Contains("secret:******** plain:plain-value-7", screen, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, screen, StringComparison.Ordinal);
            Assert.DoesNotContain("Sup3r", screen, StringComparison.Ordinal);
        }

        // A watcher's keys still reach nobody.
        await terminals.TypeLineAsync("watcher", "echo from-watcher-$((5 * 5))");
        await terminals.TypeLineAsync("bob", "echo from-bob-$((5 * 5))");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await terminals.TypeLineAsync("writer", "echo after-$((3 * 3))");
        await terminals.WaitForAsync("watcher", "after-9");
        var pane = (await node.TmuxAsync("capture-pane", "-p", "-J", "-S", "-200", "-t", "debug")).Output;
        Assert.DoesNotContain("from-watcher", pane, StringComparison.Ordinal);
        Assert.DoesNotContain("from-bob", pane, StringComparison.Ordinal);

        // The filter follows the watcher's window: its tmux client takes the new size.
        var resized = await node.Programs.RunAsync("tmux", ["-S", node.Folder.Combine("terminals.sock"), "resize-window", "-t", "watcher", "-x", "100", "-y", "25"]);
        Assert.True(resized.ExitCode == 0, resized.Error);
        await UntilAsync(
            async () => (await node.TmuxAsync("list-clients", "-t", "debug", "-F", "#{client_width}x#{client_height}")).Output.Contains("100x25", StringComparison.Ordinal),
            "the watcher's tmux client to take its terminal's size");

        await terminals.TypeLineAsync("writer", "exit");
        var result = await section.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(result.SkipSteps);
        await UntilAsync(async () => await terminals.ExitedAsync("watcher") && await terminals.ExitedAsync("bob"), "the watchers' clients to end with the session");
    }

    [Fact]
    public async Task Nobody_watches_before_the_secrets_are_written_and_a_job_without_secrets_is_watched_as_it_is()
    {
        await using var node = await SshNode.CreateAsync(debug: new DebugRequest("alice", Quiet: false, TimeSpan.FromMinutes(30)));
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);
        var secrets = Path.Combine(node.Node.ScratchDirectory, "ssh", "watch_secrets");
        Assert.Equal(string.Empty, await File.ReadAllTextAsync(secrets));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secrets));

        // Without the secrets' file, nobody watches (never unmasked).
        File.Move(secrets, secrets + ".away");
        var refused = await node.Programs.RunAsync("ssh", ["-tt", .. node.SshArguments(node.Alice, "watch")], input: string.Empty);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("not ready to be watched yet", refused.Error + refused.Output, StringComparison.Ordinal);
        File.Move(secrets + ".away", secrets);

        await using var terminals = new TerminalTmux(node.Folder.Combine("terminals.sock"));
        await terminals.OpenAsync("writer", ["ssh", "-tt", .. node.SshArguments(node.Alice)]);
        await terminals.OpenAsync("watcher", ["ssh", "-tt", .. node.SshArguments(node.Alice, "watch")]);
        await node.WaitForDebugClientsAsync(2);
        await terminals.TypeLineAsync("writer", "echo plain-$((6 * 7))");
        await terminals.WaitForAsync("watcher", "plain-42");
        await terminals.TypeLineAsync("writer", "exit");
        await section.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task The_audits_command_is_masked_like_the_log()
    {
        await using var node = await SshNode.CreateAsync(variables: Variables);
        await node.EnableAsync();
        var ran = await node.SshAsync(node.Alice, $"echo 'X-Token: {Secret}' >/dev/null; echo done-plain-value-7");
        Assert.Equal(0, ran.ExitCode);

        var started = await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted, "the session's start");
        Assert.Equal("echo 'X-Token: ********' >/dev/null; echo done-plain-value-7", started.Command);
        await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionEnded, "the session's end");
        Assert.All(node.Sink.Events, e => Assert.DoesNotContain(Secret, e.Command ?? string.Empty, StringComparison.Ordinal));
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException($"Waited 15 s for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
