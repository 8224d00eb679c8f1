using Microsoft.Extensions.Time.Testing;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Sections;
using Porthole.Ssh.Tests.Endpoints;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Debugging;

/// <summary>
/// A debug session's lifecycle (R-BEY-4, issue 15) with the real sshd, tmux and ssh clients: <c>porthole-extend</c> and
/// <c>porthole-release</c> in its windows (on the shell executor and in a container), an extension or a release from
/// outside, the end told to the server, and the notices before it reaching the clients (on a fake clock).
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DebugLifecycleTests
{
    private static readonly IReadOnlyList<StepPlan> Steps =
    [
        new(StepKind.Run, "script", "echo \"script-phase-$((40 + 2))\"\n", "/bin/bash", [], null, false, StepCondition.OnSuccess, null, true, "script"),
    ];

    [Theory]
    [InlineData("shell")]
    [InlineData("debian")]
    public async Task In_a_window_porthole_extend_moves_the_end_up_to_the_cap_bad_input_is_refused_and_porthole_release_ends_the_session(string executor)
    {
        ContainerSpec? container = null;
        if (executor != "shell")
        {
            await DockerTestImages.EnsureAsync();
            container = new ContainerSpec(DockerTestImages.Debian) { User = "circleci" };
        }

        await using var node = await SshNode.CreateAsync(
            debug: new DebugRequest("alice", Quiet: false, TimeSpan.FromMinutes(30)), steps: Steps, extendCap: TimeSpan.FromHours(1), container: container);
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);
        Assert.Contains("porthole-extend [30m] keeps it longer (at most 1h0m0s after its start), porthole-release ends it now.", node.DebugText, StringComparison.Ordinal);
        await Wait.UntilAsync(() => node.Sink.Windows.LastOrDefault()?.EndsBy == SshWindowEnd.SessionCap, "the session's window");
        var before = node.Sink.Windows[^1].EndsAt!.Value;

        await using var terminals = new TerminalTmux(node.Folder.Combine("terminals.sock"));
        await terminals.OpenAsync("user", ["ssh", "-tt", .. node.SshArguments(node.Alice)]);
        await terminals.WaitForAsync("user", "porthole-debug:");
        await terminals.TypeLineAsync("user", "porthole-extend 10m; echo \"code=$?\"");
        var screen = await terminals.WaitForAsync("user", "code=0");
        Assert.Contains("porthole-extend: 10m0s added; the node now stays until", screen, StringComparison.Ordinal);
        await Wait.UntilAsync(() => node.Sink.Windows[^1].EndsAt > before, "the extended window");
        Assert.Equal(before + TimeSpan.FromMinutes(10), node.Sink.Windows[^1].EndsAt!.Value);

        // The status line says until when.
        await terminals.WaitForAsync("user", $"Porthole: until {node.Sink.Windows[^1].EndsAt!.Value:HH:mm:ss} UTC");

        await terminals.TypeLineAsync("user", "porthole-extend 1h; echo \"past=$?\"");
        screen = await terminals.WaitForAsync("user", "past=1");
        Assert.Contains("1h0m0s is past this node's cap of 1h0m0s after the debug session's start: at most 20m0s more.", screen, StringComparison.Ordinal);
        await terminals.TypeLineAsync("user", "porthole-extend 'soon;id'; echo \"bad=$?\"");
        screen = await terminals.WaitForAsync("user", "bad=2");
        Assert.Contains("is not a duration: give one such as 30m", screen, StringComparison.Ordinal);
        Assert.Equal(before + TimeSpan.FromMinutes(10), node.Sink.Windows[^1].EndsAt!.Value);

        await terminals.TypeLineAsync("user", "porthole-release");
        var result = await section.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal((StepState.Success, true), (result.State, result.SkipSteps));
        Assert.Equal("Released by a session (porthole-release); the node ends.", result.Message);
        Assert.EndsWith(
            "All remaining steps, including caching and deploy, will be skipped.\nReleased by a session (porthole-release); the node ends.\n",
            node.DebugText,
            StringComparison.Ordinal);
        Assert.Null(node.Sink.Windows[^1].EndsAt);
        await Wait.UntilAsync(() => terminals.ExitedAsync("user").GetAwaiter().GetResult(), "the client closed");
    }

    [Fact]
    public async Task An_extension_from_outside_moves_the_end_and_the_notices_before_it_reach_every_client_and_the_log()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2024-05-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var node = await SshNode.CreateAsync(
            endpointTime: clock, debug: new DebugRequest("alice", Quiet: false, TimeSpan.FromMinutes(30)), steps: Steps, extendCap: TimeSpan.FromHours(1));
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);
        var start = clock.GetUtcNow();
        await Wait.UntilAsync(() => node.Sink.Windows.LastOrDefault()?.EndsAt is not null, "the session's window");
        Assert.Equal(new SshWindow(start + TimeSpan.FromMinutes(30), SshWindowEnd.SessionCap), node.Sink.Windows[^1]);

        // A writer, through the API (the heartbeat hands it to the endpoint): the end moves; past the cap is refused.
        Assert.Equal(
            "porthole-extend: 10m0s added; the node now stays until 10:40:00 UTC (40m0s from now).",
            node.Endpoint.Extend(TimeSpan.FromMinutes(10)));
        await Wait.UntilAsync(() => node.Sink.Windows[^1].EndsAt == start + TimeSpan.FromMinutes(40), "the extended window");
        Assert.Equal(
            "porthole-extend: 30m0s is past this node's cap of 1h0m0s after the debug session's start: at most 20m0s more.",
            node.Endpoint.Extend(TimeSpan.FromMinutes(30)));

        await using var terminals = new TerminalTmux(node.Folder.Combine("terminals.sock"));
        await terminals.OpenAsync("user", ["ssh", "-tt", .. node.SshArguments(node.Alice)]);
        await node.WaitForDebugClientsAsync(1);

        // At 30 minutes (the old end) the session goes on; 5 minutes before the new end, every client is told, and the log.
        clock.Advance(TimeSpan.FromMinutes(30));
        await Task.Delay(100);
        Assert.False(section.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(5));
        await terminals.WaitForAsync("user", "Porthole: this node ends in 5m0s: porthole-extend 30m adds time");
        await Wait.UntilAsync(() => node.DebugText.Contains("Porthole: this node ends in 5m0s", StringComparison.Ordinal), "the 5-minute notice in the log");
        clock.Advance(TimeSpan.FromMinutes(4));
        await terminals.WaitForAsync("user", "Porthole: this node ends in 1m0s");
        await Wait.UntilAsync(() => node.DebugText.Contains("Porthole: this node ends in 1m0s", StringComparison.Ordinal), "the 1-minute notice in the log");

        clock.Advance(TimeSpan.FromMinutes(1));
        var result = await section.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal((StepState.Success, true), (result.State, result.SkipSteps));
        Assert.EndsWith("The debug session ended: 40m0s are up.\n", node.DebugText, StringComparison.Ordinal);
        Assert.Null(node.Sink.Windows[^1].EndsAt);
    }

    [Fact]
    public async Task A_release_from_outside_ends_the_session_and_its_clients_at_once()
    {
        await using var node = await SshNode.CreateAsync(debug: new DebugRequest("alice", Quiet: true, TimeSpan.FromMinutes(30)), steps: Steps);
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);
        var client = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice)], input: string.Empty);
        await node.WaitForDebugClientsAsync(1);

        node.Endpoint.Release("a writer, through Porthole's API");
        var result = await section.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal((StepState.Success, true), (result.State, result.SkipSteps));
        Assert.EndsWith("Released by a writer, through Porthole's API; the node ends.\n", node.DebugText, StringComparison.Ordinal);
        await client.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
