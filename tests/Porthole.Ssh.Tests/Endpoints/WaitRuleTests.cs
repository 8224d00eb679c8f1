using Microsoft.Extensions.Time.Testing;
using Porthole.Contracts.Runners;
using Porthole.Execution.Processes;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>The Wait for SSH rules (R-SSH-8) on a fake clock: ten minutes and two hours, in milliseconds.</summary>
public sealed class WaitRuleTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task Without_a_connection_the_node_ends_after_the_first_connection_timeout()
    {
        await using var node = await SshNode.CreateAsync(_clock);
        await node.EnableAsync();
        var sshdPid = await LifecycleTests.SshdPidAsync(node);

        var waiting = node.WaitAsync();
        await WaitingAsync(node);
        _clock.Advance(TimeSpan.FromMinutes(9));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(StepState.Success, result.State);
        Assert.EndsWith("No SSH session within 10m0s; the node ends.\n", node.WaitText, StringComparison.Ordinal);
        Assert.StartsWith("You can now SSH into this box if your SSH public key is added:\n", node.WaitText, StringComparison.Ordinal);
        Assert.False(ProcFs.IsAlive(sshdPid));
    }

    [Fact]
    public async Task After_the_last_session_closes_the_node_ends()
    {
        await using var node = await SshNode.CreateAsync(_clock);
        await node.EnableAsync();
        var waiting = node.WaitAsync();
        await WaitingAsync(node);

        var client = node.Programs.Start("ssh", node.SshArguments(node.Alice, "read line; echo got $line"), input: string.Empty);
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 1, "the open session");
        _clock.Advance(TimeSpan.FromMinutes(30));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        client.CloseInput();
        var output = await client.WaitAsync(TimeSpan.FromSeconds(10));
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("got\n", output.Output);
        Assert.Equal(StepState.Success, result.State);
        Assert.EndsWith("The last SSH session closed; the node ends.\n", node.WaitText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_still_open_at_the_maximum_time_is_closed()
    {
        await using var node = await SshNode.CreateAsync(_clock);
        await node.EnableAsync();
        var pidFile = Path.Combine(node.Evidence, "session.pid");
        var client = node.StartSsh(node.Alice, $"echo $$ > {pidFile}; exec sleep 60");
        var sessionPid = await LifecycleTests.ReadPidAsync(pidFile);
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 1, "the open session");

        var waiting = node.WaitAsync();
        await WaitingAsync(node);
        _clock.Advance(TimeSpan.FromMinutes(119));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(StepState.Success, result.State);
        Assert.EndsWith("The node reached 2h0m0s since the first SSH connection; closing sessions.\n", node.WaitText, StringComparison.Ordinal);
        Assert.Equal(255, (await client.WaitAsync(TimeSpan.FromSeconds(5))).ExitCode);
        Assert.False(ProcFs.IsAlive(sessionPid));
    }

    [Fact]
    public async Task The_rules_are_the_requests()
    {
        await using var node = await SshNode.CreateAsync(_clock, firstConnectionTimeout: TimeSpan.FromSeconds(90), maxSessionTime: TimeSpan.FromMinutes(45));
        await node.EnableAsync();
        Assert.Contains("This box will stay up for 45m0s, or until 1m30s passes without an active SSH session.", node.EnableText, StringComparison.Ordinal);

        var waiting = node.WaitAsync();
        await WaitingAsync(node);
        _clock.Advance(TimeSpan.FromSeconds(90));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.EndsWith("No SSH session within 1m30s; the node ends.\n", node.WaitText, StringComparison.Ordinal);
    }

    private static Task WaitingAsync(SshNode node) =>
        Wait.UntilAsync(() => node.WaitText.Contains("This box will stay up", StringComparison.Ordinal), "the Wait for SSH text");
}
