using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Endpoints;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>
/// A read-only key (R-DBG-7) may only watch a debug session: on a node asked for with SSH that is not a debug run, the
/// node refuses it whatever the client asks, even though the server never grants one there.
/// </summary>
public sealed class ReadOnlyKeyTests
{
    private const string AliceKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICN4/FBaB1wZaj7WtzBwTOZ2b/jKcLJPrKbBUn5Wvf4t";
    private const string BobKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMoOkUyr6L1ACyDHItSRnx9UaQTELpxc2PqJHGMPJ8nB";

    [Fact]
    public async Task A_read_only_key_is_refused_with_a_clear_message_on_a_node_that_is_not_a_debug_session()
    {
        await using var node = await SshNode.CreateAsync(readOnlyBob: true);
        var enabled = await node.EnableAsync();
        Assert.True(enabled.State == StepState.Success, node.EnableText);
        var evidence = Path.Combine(node.Evidence, "ran");

        var login = await node.Programs.RunAsync("ssh", ["-tt", .. node.SshArguments(node.Bob)], input: string.Empty);
        var command = await node.SshAsync(node.Bob, $"touch {evidence}; echo ran");
        var watch = await node.SshAsync(node.Bob, "watch");

        const string Refused = "Porthole: this key may only watch a debug session, read-only, and this node is not a debug session: access refused.";
        Assert.Equal(1, login.ExitCode);
        Assert.Contains(Refused, login.Output + login.Error, StringComparison.Ordinal);
        Assert.Equal((1, string.Empty), (command.ExitCode, command.Output));
        Assert.Contains(Refused, command.Error, StringComparison.Ordinal);
        Assert.Equal((1, string.Empty), (watch.ExitCode, watch.Output));
        Assert.Contains(Refused, watch.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(evidence));

        // The read-write key is not affected.
        var alice = await node.SshAsync(node.Alice, "echo in");
        Assert.True(alice.ExitCode == 0, alice.Error);
        Assert.Equal("in\n", alice.Output);
    }

    [Fact]
    public async Task A_read_only_key_is_refused_even_when_its_forced_command_lost_the_flag()
    {
        // sshd may have read the key's line just before it became read-only: the line as it is now decides.
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        await node.Endpoint.UpdateKeysAsync([node.Grant("alice", node.Alice, readOnly: true)]);
        var files = Path.Combine(node.Node.ScratchDirectory, "ssh");
        var attach = Path.Combine(files, "attach.sh");

        var run = await node.Programs.RunAsync("bash", [attach, "alice", node.Alice.Fingerprint]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("this node is not a debug session: access refused", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_forced_command_of_a_read_only_key_says_ro()
    {
        var grants = KeyGrant.From([new SshGrant(1, "alice", string.Empty, AliceKey), new SshGrant(2, "bob", string.Empty, BobKey, ReadOnly: true)]);
        Assert.Equal(2, grants.Count);

        var lines = AuthorizedKeysText.Render(grants, "/bin/bash", "/ssh/attach.sh").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
            [
                $"restrict,pty,command=\"exec '/bin/bash' '/ssh/attach.sh' alice {grants[0].Fingerprint}\" {grants[0].Key.KeyText}",
                $"restrict,pty,command=\"exec '/bin/bash' '/ssh/attach.sh' bob {grants[1].Fingerprint} ro\" {grants[1].Key.KeyText}",
            ],
            lines);
    }

    [Fact]
    public void A_key_granted_twice_is_read_only_if_either_grant_says_so()
    {
        var grants = KeyGrant.From([new SshGrant(1, "alice", string.Empty, AliceKey), new SshGrant(1, "alice", string.Empty, AliceKey, ReadOnly: true)]);

        Assert.True(Assert.Single(grants).ReadOnly);
    }
}
