using Microsoft.Extensions.Time.Testing;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>
/// The session's lifecycle (R-BEY-4, issue 15) on a fake clock and a real sshd: the grace after the last session, an
/// extension up to the cap and past it, a release, the notices before the end, and the window told to the server.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class SessionLifecycleTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task After_the_last_session_the_node_waits_the_grace_for_the_next_connection_and_a_second_one_gets_in()
    {
        await using var node = await SshNode.CreateAsync(_clock, grace: TimeSpan.FromMinutes(2));
        await node.EnableAsync();
        var waiting = node.WaitAsync();
        await WaitingAsync(node);

        // ssh … -- cmd, then the next command (scp, say) within the grace: the node is still there.
        var first = await node.Programs.Start("ssh", node.SshArguments(node.Alice, "echo one > one.txt"), input: string.Empty).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, first.ExitCode);
        await Wait.UntilAsync(() => node.Sink.Windows.LastOrDefault()?.EndsBy == SshWindowEnd.Grace, "the grace window");
        _clock.Advance(TimeSpan.FromSeconds(90));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        var second = await node.Programs.Start("ssh", node.SshArguments(node.Alice, "cat one.txt"), input: string.Empty).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("one\n", second.Output);

        // The grace starts again at the second session's close; nobody comes, and the node ends after it.
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 0 && node.Sink.Windows.LastOrDefault()?.EndsBy == SshWindowEnd.Grace, "the second grace");
        _clock.Advance(TimeSpan.FromMinutes(2));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.EndsWith("The last SSH session closed and nobody connected within 2m0s; the node ends.\n", node.WaitText, StringComparison.Ordinal);
        Assert.Null(node.Sink.Windows[^1].EndsAt);
    }

    [Fact]
    public async Task An_extension_moves_the_end_up_to_the_cap_and_one_past_it_is_refused_with_what_is_left()
    {
        await using var node = await SshNode.CreateAsync(_clock, maxSessionTime: TimeSpan.FromHours(2), extendCap: TimeSpan.FromHours(3));
        await node.EnableAsync();
        var client = node.StartSsh(node.Alice, "exec sleep 600");
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 1, "the open session");
        var connectedAt = _clock.GetUtcNow();
        var waiting = node.WaitAsync();
        await Wait.UntilAsync(() => node.Sink.Windows.LastOrDefault()?.EndsBy == SshWindowEnd.SessionCap, "the session window");
        Assert.Equal(connectedAt + TimeSpan.FromHours(2), node.Sink.Windows[^1].EndsAt!.Value, TimeSpan.FromSeconds(1));

        Assert.Contains("porthole-extend: 45m0s added", node.Endpoint.Extend(TimeSpan.FromMinutes(45)), StringComparison.Ordinal);
        await Wait.UntilAsync(() => node.Sink.Windows[^1].EndsAt > connectedAt + TimeSpan.FromHours(2.5), "the extended window");
        Assert.Equal(connectedAt + TimeSpan.FromMinutes(165), node.Sink.Windows[^1].EndsAt!.Value, TimeSpan.FromSeconds(1));
        var refused = node.Endpoint.Extend(TimeSpan.FromMinutes(30));
        Assert.Equal("porthole-extend: 30m0s is past this node's cap of 3h0m0s after the first connection: at most 15m0s more.", refused);
        Assert.Equal(connectedAt + TimeSpan.FromMinutes(165), node.Sink.Windows[^1].EndsAt!.Value, TimeSpan.FromSeconds(1));

        // At 2 h (the old end) the node goes on; 5 minutes before the new end, and 1 minute before, the log says so.
        _clock.Advance(TimeSpan.FromMinutes(120));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        _clock.Advance(TimeSpan.FromMinutes(40));
        await Wait.UntilAsync(() => node.WaitText.Contains("this node ends in 5m0s", StringComparison.Ordinal), "the 5-minute notice");
        _clock.Advance(TimeSpan.FromMinutes(4));
        await Wait.UntilAsync(() => node.WaitText.Contains("this node ends in 1m0s", StringComparison.Ordinal), "the 1-minute notice");
        _clock.Advance(TimeSpan.FromMinutes(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.EndsWith("The node reached 2h45m0s since the first SSH connection; closing sessions.\n", node.WaitText, StringComparison.Ordinal);
        Assert.Equal(255, (await client.WaitAsync(TimeSpan.FromSeconds(5))).ExitCode);
    }

    [Fact]
    public async Task A_release_ends_the_node_at_once_with_its_sessions()
    {
        await using var node = await SshNode.CreateAsync(_clock, grace: TimeSpan.FromMinutes(2));
        await node.EnableAsync();
        var client = node.StartSsh(node.Alice, "exec sleep 600");
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 1, "the open session");
        var waiting = node.WaitAsync();
        await WaitingAsync(node);

        node.Endpoint.Release("alice, with porthole-release");
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.EndsWith("Released by alice, with porthole-release; the node ends.\n", node.WaitText, StringComparison.Ordinal);
        Assert.Equal(255, (await client.WaitAsync(TimeSpan.FromSeconds(5))).ExitCode);
    }

    [Theory]
    [InlineData("shell")]
    [InlineData("debian")]
    [InlineData("busybox")]
    public async Task Inside_a_session_porthole_extend_and_porthole_release_work_and_bad_input_is_refused_with_the_reason(string executor)
    {
        Porthole.Contracts.Plans.ContainerSpec? container = null;
        if (executor != "shell")
        {
            await DockerTestImages.EnsureAsync();
            container = executor == "debian"
                ? new Porthole.Contracts.Plans.ContainerSpec(DockerTestImages.Debian) { User = "circleci" }
                : new Porthole.Contracts.Plans.ContainerSpec(DockerTestImages.Busybox);
        }

        await using var node = await SshNode.CreateAsync(maxSessionTime: TimeSpan.FromHours(1), extendCap: TimeSpan.FromHours(2), container: container);
        await node.EnableAsync();
        Assert.Contains("porthole-extend [30m] keeps this node longer (at most 2h0m0s after the first connection)", node.EnableText, StringComparison.Ordinal);
        var waiting = node.WaitAsync();
        await using var terminals = new TerminalTmux(node.Folder.Combine("terminals.sock"));
        await terminals.OpenAsync("user", ["ssh", "-tt", .. node.SshArguments(node.Alice)]);
        await Wait.UntilAsync(() => node.Sink.Windows.LastOrDefault()?.EndsBy == SshWindowEnd.SessionCap, "the session window");
        var before = node.Sink.Windows[^1].EndsAt!.Value;

        await terminals.TypeLineAsync("user", "porthole-extend 45m; echo \"code=$?\"");
        var screen = await terminals.WaitForAsync("user", "code=0");
        Assert.Contains("porthole-extend: 45m0s added; the node now stays until", screen, StringComparison.Ordinal);
        await Wait.UntilAsync(() => node.Sink.Windows[^1].EndsAt > before, "the extended window");
        Assert.Equal(before + TimeSpan.FromMinutes(45), node.Sink.Windows[^1].EndsAt!.Value, TimeSpan.FromSeconds(1));

        await terminals.TypeLineAsync("user", "porthole-extend 5h; echo \"past=$?\"");
        screen = await terminals.WaitForAsync("user", "past=1");
        Assert.Contains("5h0m0s is past this node's cap of 2h0m0s after the first connection: at most 15m0s more.", screen, StringComparison.Ordinal);
        await terminals.TypeLineAsync("user", "porthole-extend 'soon;id'; echo \"bad=$?\"");
        screen = await terminals.WaitForAsync("user", "bad=2");
        Assert.Contains("is not a duration: give one such as 30m", screen, StringComparison.Ordinal);

        await terminals.TypeLineAsync("user", "porthole-release");
        await waiting.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.EndsWith("Released by a session (porthole-release); the node ends.\n", node.WaitText, StringComparison.Ordinal);
        await Wait.UntilAsync(() => terminals.ExitedAsync("user").GetAwaiter().GetResult(), "the session closed");
    }

    [Theory]
    [InlineData("shell")]
    [InlineData("busybox")]
    public async Task A_session_is_told_5_minutes_and_1_minute_before_the_end_at_its_prompt_in_bash_and_at_once_in_another_shell(string executor)
    {
        Porthole.Contracts.Plans.ContainerSpec? container = null;
        if (executor == "busybox")
        {
            await DockerTestImages.EnsureAsync();
            container = new Porthole.Contracts.Plans.ContainerSpec(DockerTestImages.Busybox);
        }

        await using var node = await SshNode.CreateAsync(_clock, maxSessionTime: TimeSpan.FromHours(1), container: container);
        await node.EnableAsync();
        var waiting = node.WaitAsync();
        await using var terminals = new TerminalTmux(node.Folder.Combine("terminals.sock"));
        await terminals.OpenAsync("user", ["ssh", "-tt", .. node.SshArguments(node.Alice)]);
        await Wait.UntilAsync(() => node.Sink.Windows.LastOrDefault()?.EndsBy == SshWindowEnd.SessionCap, "the session window");
        await terminals.TypeLineAsync("user", "echo ready-$((1 + 1))");
        await terminals.WaitForAsync("user", "ready-2");

        _clock.Advance(TimeSpan.FromMinutes(55));
        await Wait.UntilAsync(() => node.WaitText.Contains("this node ends in 5m0s", StringComparison.Ordinal), "the 5-minute notice in the log");
        if (executor == "shell")
        {
            // bash shows it before its next prompt, never in the middle of what a program draws.
            await terminals.TypeLineAsync("user", "echo next-$((2 + 2))");
        }

        var screen = await terminals.WaitForAsync("user", "Porthole: this node ends in 5m0s");
        Assert.Contains("porthole-extend", screen[screen.IndexOf("Porthole: this node ends in 5m0s", StringComparison.Ordinal)..], StringComparison.Ordinal);
        _clock.Advance(TimeSpan.FromMinutes(4));
        await Wait.UntilAsync(() => node.WaitText.Contains("this node ends in 1m0s", StringComparison.Ordinal), "the 1-minute notice in the log");
        if (executor == "shell")
        {
            await terminals.TypeLineAsync("user", "echo last-$((3 + 3))");
        }

        await terminals.WaitForAsync("user", "Porthole: this node ends in 1m0s");
        node.Endpoint.Release("the test");
        await waiting.WaitAsync(TimeSpan.FromSeconds(15));
        await Wait.UntilAsync(() => terminals.ExitedAsync("user").GetAwaiter().GetResult(), "the session closed");
    }

    [Theory]
    [InlineData("30m", 30 * 60)]
    [InlineData("1h30m", 90 * 60)]
    [InlineData("90s", 90)]
    [InlineData("45", 45 * 60)]
    [InlineData(null, 30 * 60)]
    public void Durations_read_as_people_write_them(string? text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), SshDuration.Parse(text, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("0m", "adds no time")]
    [InlineData("soon", "is not a duration")]
    [InlineData("-5m", "is not a duration")]
    [InlineData("1d", "is not a duration")]
    [InlineData("30m; rm -rf /", "is not a duration")]
    public void A_malformed_duration_is_refused_with_examples(string text, string reason)
    {
        Assert.Null(SshDuration.Parse(text, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    private static Task WaitingAsync(SshNode node) =>
        Wait.UntilAsync(() => node.WaitText.Contains("This box will stay up", StringComparison.Ordinal), "the Wait for SSH text");
}
