using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Endpoints;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>
/// A browser terminal's key (R-WEB-2) is granted like a user's own, marked <c>web</c>: the forced command carries its
/// flags as a list (<c>ro,web</c>), the attach script audits its sessions as coming from the web, and the endpoint tells
/// the server when it accepts the key.
/// </summary>
public sealed class WebKeyTests
{
    private const string AliceKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICN4/FBaB1wZaj7WtzBwTOZ2b/jKcLJPrKbBUn5Wvf4t";
    private const string BobKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMoOkUyr6L1ACyDHItSRnx9UaQTELpxc2PqJHGMPJ8nB";

    [Theory]
    [InlineData(false, false, null)]
    [InlineData(true, false, "ro")]
    [InlineData(false, true, "web")]
    [InlineData(true, true, "ro,web")]
    public void The_flags_are_a_comma_separated_list(bool readOnly, bool web, string? flags)
    {
        Assert.Equal(flags, AuthorizedKeysText.Flags(readOnly, web));
    }

    [Fact]
    public void The_forced_command_of_a_web_key_carries_its_flags()
    {
        var grants = KeyGrant.From([new SshGrant(1, "alice", string.Empty, AliceKey, Web: true), new SshGrant(2, "bob", string.Empty, BobKey, ReadOnly: true, Web: true)]);

        var lines = AuthorizedKeysText.Render(grants, "/bin/bash", "/ssh/attach.sh").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
            [
                $"restrict,pty,command=\"exec '/bin/bash' '/ssh/attach.sh' alice {grants[0].Fingerprint} web\" {grants[0].Key.KeyText}",
                $"restrict,pty,command=\"exec '/bin/bash' '/ssh/attach.sh' bob {grants[1].Fingerprint} ro,web\" {grants[1].Key.KeyText}",
            ],
            lines);
    }

    [Fact]
    public void A_key_granted_twice_is_web_if_either_grant_says_so()
    {
        var grants = KeyGrant.From([new SshGrant(1, "alice", string.Empty, AliceKey), new SshGrant(1, "alice", string.Empty, AliceKey, Web: true)]);

        Assert.Equal((true, false), (Assert.Single(grants).Web, grants[0].ReadOnly));
    }

    [Fact]
    public async Task The_attach_script_reads_every_flag_of_the_list()
    {
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        var files = Path.Combine(node.Node.ScratchDirectory, "ssh");
        var attach = Path.Combine(files, "attach.sh");

        // web alone: let in, and audited as a session from the browser terminal.
        await node.Endpoint.UpdateKeysAsync([node.Grant("alice", node.Alice) with { Web = true }]);
        var web = await node.Programs.RunAsync("env", ["SSH_CONNECTION=127.0.0.1 50505 127.0.0.1 22", "bash", attach, "alice", node.Alice.Fingerprint, "web"]);
        Assert.True(web.ExitCode == 0, web.Error);
        var audit = await File.ReadAllLinesAsync(Path.Combine(files, "audit.log"));
        Assert.True(AuditLine.TryParse(audit[^1], out var line), audit[^1]);
        Assert.Equal(("alice", 50505, false, "web"), (line.UserName, line.Port, line.ReadOnly, line.Via));

        // ro in the list: read-only, so refused on a node that is not a debug session; open in the list would need a token.
        await node.Endpoint.UpdateKeysAsync([node.Grant("alice", node.Alice, readOnly: true) with { Web = true }]);
        var readOnly = await node.Programs.RunAsync("bash", [attach, "alice", node.Alice.Fingerprint, "web,ro"]);
        Assert.Equal(1, readOnly.ExitCode);
        Assert.Contains("this node is not a debug session: access refused", readOnly.Error, StringComparison.Ordinal);
        var open = await node.Programs.RunAsync("bash", [attach, "alice", node.Alice.Fingerprint, "open"]);
        Assert.Equal(1, open.ExitCode);
        Assert.Contains("ask whoever started it for that command", open.Error, StringComparison.Ordinal);

        // The line as it is now decides: a key whose line says ro,web is read-only, whatever its forced command said.
        var fromLine = await node.Programs.RunAsync("bash", [attach, "alice", node.Alice.Fingerprint, "web"]);
        Assert.Equal(1, fromLine.ExitCode);
        Assert.Contains("this node is not a debug session: access refused", fromLine.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_web_keys_session_is_reported_as_web_and_the_endpoint_reports_the_key_once_it_is_accepted()
    {
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        var first = Assert.Single(node.Sink.Ready);
        Assert.Equal([node.Alice.Fingerprint], first.AcceptedFingerprints);

        await node.Endpoint.UpdateKeysAsync([node.Grant("alice", node.Alice), node.Grant("bob", node.Stranger) with { Web = true }]);
        Assert.Equal(2, node.Sink.Ready.Count);
        Assert.Equal([node.Alice.Fingerprint, node.Stranger.Fingerprint], node.Sink.Ready[^1].AcceptedFingerprints);
        Assert.Equal(first with { AcceptedFingerprints = node.Sink.Ready[^1].AcceptedFingerprints }, node.Sink.Ready[^1]);

        var fromWeb = await node.SshAsync(node.Stranger, "echo in");
        var fromSsh = await node.SshAsync(node.Alice, "echo in");
        Assert.True(fromWeb.ExitCode == 0, fromWeb.Error);
        Assert.True(fromSsh.ExitCode == 0, fromSsh.Error);

        var web = await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted && e.Fingerprint == node.Stranger.Fingerprint, "the web key's session");
        var ssh = await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted && e.Fingerprint == node.Alice.Fingerprint, "alice's session");
        var ended = await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionEnded && e.Fingerprint == node.Stranger.Fingerprint, "the web key's session end");
        Assert.Equal(("bob", SshVia.Web, false), (web.UserName, web.Via, web.ReadOnly));
        Assert.Equal(("alice", SshVia.Ssh), (ssh.UserName, ssh.Via));
        Assert.Equal(SshVia.Web, ended.Via);

        // The same keys again change nothing and are not reported again.
        await node.Endpoint.UpdateKeysAsync([node.Grant("alice", node.Alice), node.Grant("bob", node.Stranger) with { Web = true }]);
        Assert.Equal(2, node.Sink.Ready.Count);
    }
}
