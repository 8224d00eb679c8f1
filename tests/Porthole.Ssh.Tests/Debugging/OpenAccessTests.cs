using Porthole.Contracts.Ssh;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Debugging;

/// <summary>A debug run open to anyone with its ssh command (R-DBG-7's opt-in), ended while its sessions are open.</summary>
public sealed class OpenAccessTests
{
    private const string Token = "open-token-0123456789abcdefghij";

    [Fact]
    public async Task Open_access_switched_off_closes_its_sessions_at_once_and_refuses_the_token_for_the_rest_of_the_run()
    {
        await using var node = await SshNode.CreateAsync(debug: new DebugRequest("alice", Quiet: false, TimeSpan.FromMinutes(30), Token));
        var section = node.DebugAsync();
        await node.WaitForDebugAsync(section);
        var tokenFile = Path.Combine(node.Node.ScratchDirectory, "ssh", "debug_token");
        Assert.True(File.Exists(tokenFile));

        var alice = node.Programs.Start("ssh", ["-tt", .. node.SshArguments(node.Alice)], input: string.Empty);
        await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted && e.UserName == "alice", "alice's session");
        var guest = node.Programs.Start("ssh", ["-tt", .. GuestArguments(node)], input: string.Empty);
        await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted && e.UserName == DebugRequest.OpenAccessUser, "the guest's session");

        // Switched off (the heartbeat's reply says so): by the time the endpoint has taken it, the token is gone and the
        // guest's session is closed and reported ended, as a revoked key's is; alice's key is still granted, her session stays.
        await node.Endpoint.UpdateKeysAsync([node.Grant("alice", node.Alice)], openAccess: false);
        Assert.False(File.Exists(tokenFile));
        Assert.Contains(node.Sink.Events, e => e.Kind == SshEventKind.SessionEnded && e.UserName == DebugRequest.OpenAccessUser);
        await guest.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(alice.HasExited);

        // The old token lets nobody in any more, and open access does not come back for this run.
        await ExpectRefusedAsync(node);
        await node.Endpoint.UpdateKeysAsync([node.Grant("alice", node.Alice)], openAccess: true);
        Assert.False(File.Exists(tokenFile));
        await ExpectRefusedAsync(node);
        Assert.Single(node.Sink.Events, e => e.Kind == SshEventKind.SessionStarted && e.UserName == DebugRequest.OpenAccessUser);

        alice.Type("exit\r");
        await section.WaitAsync(TimeSpan.FromSeconds(15));
        await alice.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static string[] GuestArguments(SshNode node) => ["-o", $"SetEnv={DebugRequest.TokenVariable}={Token}", .. node.SshArguments(node.Stranger)];

    /// <summary>
    /// The connection is closed: the endpoint closes a key it no longer lets in as soon as sshd accepts it, and the attach
    /// script, run by itself as sshd runs it, refuses the token.
    /// </summary>
    private static async Task ExpectRefusedAsync(SshNode node)
    {
        var refused = await node.Programs.RunAsync("ssh", ["-tt", .. GuestArguments(node)], input: string.Empty);
        Assert.NotEqual(0, refused.ExitCode);
        var attach = Path.Combine(node.Node.ScratchDirectory, "ssh", "attach.sh");
        var script = await node.Programs.RunAsync("env", [$"{DebugRequest.TokenVariable}={Token}", "bash", attach, DebugRequest.OpenAccessUser, node.Stranger.Fingerprint, "open"]);
        Assert.Equal(1, script.ExitCode);
        Assert.Contains("ask whoever started it for that command", script.Error, StringComparison.Ordinal);
    }
}
