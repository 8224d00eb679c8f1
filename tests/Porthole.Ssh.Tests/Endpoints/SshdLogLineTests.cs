using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>The lines OpenSSH 9.2's sshd prints with -e and LogLevel VERBOSE, copied from its output on this machine.</summary>
public sealed class SshdLogLineTests
{
    [Theory]
    [InlineData("Server listening on 127.0.0.1 port 64600.", "Listening", "127.0.0.1", 64600)]
    [InlineData("Server listening on :: port 64600.", "Listening", "::", 64600)]
    [InlineData("Bind to port 64600 on 127.0.0.1 failed: Address already in use.", "BindFailed", "127.0.0.1", 64600)]
    [InlineData("Connection closed by invalid user daemon 127.0.0.1 port 34384 [preauth]", "LoginRefused", "127.0.0.1", 34384)]
    [InlineData("Starting session: forced-command (key-option) 'exec '/bin/bash' '/x/attach.sh' alice SHA256:Bz' on pts/0 for root from 127.0.0.1 port 34450 id 0", "SessionStarting", "127.0.0.1", 34450)]
    [InlineData("Close session: user root from 127.0.0.1 port 34412 id 0", "SessionClosing", "127.0.0.1", 34412)]
    [InlineData("Received disconnect from 127.0.0.1 port 51232:11: disconnected by user", "ConnectionEnded", "127.0.0.1", 51232)]
    [InlineData("Disconnected from user root 127.0.0.1 port 51232", "ConnectionEnded", "127.0.0.1", 51232)]
    [InlineData("Connection closed by authenticating user root 127.0.0.1 port 51230 [preauth]", "ConnectionEnded", "127.0.0.1", 51230)]
    [InlineData("Connection closed by 127.0.0.1 port 51230", "ConnectionEnded", "127.0.0.1", 51230)]
    [InlineData("Connection reset by 127.0.0.1 port 51230", "ConnectionEnded", "127.0.0.1", 51230)]
    [InlineData("Timeout, client not responding from user root 127.0.0.1 port 51230", "ConnectionEnded", "127.0.0.1", 51230)]
    [InlineData("Read error from remote host 127.0.0.1 port 51230: Connection reset by peer", "ConnectionEnded", "127.0.0.1", 51230)]
    [InlineData("Connection from 127.0.0.1 port 51222 on 127.0.0.1 port 64600 rdomain \"\"", "Other", "", 0)]
    [InlineData("Accepted key ED25519 SHA256:BzLGGUzg3PZDo08q/Cf/susDdOAiZ0zyCZ06rjkSfWY found at /tmp/sx/authorized_keys:1", "Other", "", 0)]
    [InlineData("Postponed publickey for root from 127.0.0.1 port 51222 ssh2 [preauth]", "Other", "", 0)]
    public void Lines_are_recognised_with_the_connection_they_name(string line, string kind, string address, int port)
    {
        var parsed = SshdLogLine.Parse(line);

        Assert.Equal((kind, address, port), (parsed.Kind.ToString(), parsed.Address, parsed.Port));
    }

    [Fact]
    public void An_accepted_and_a_refused_key_carry_their_type_and_fingerprint()
    {
        var accepted = SshdLogLine.Parse("Accepted publickey for root from 127.0.0.1 port 51222 ssh2: ED25519 SHA256:BzLGGUzg3PZDo08q/Cf/susDdOAiZ0zyCZ06rjkSfWY");
        var refused = SshdLogLine.Parse("Failed publickey for root from ::1 port 51230 ssh2: RSA SHA256:89Z8aBTuaaoQWGU5cL81K6yjmQSC/w2dBdnDkviDkOQ");

        Assert.Equal(new SshdLogLine(SshdLogKind.KeyAccepted, "127.0.0.1", 51222, "ED25519", "SHA256:BzLGGUzg3PZDo08q/Cf/susDdOAiZ0zyCZ06rjkSfWY"), accepted);
        Assert.Equal(new SshdLogLine(SshdLogKind.KeyRefused, "::1", 51230, "RSA", "SHA256:89Z8aBTuaaoQWGU5cL81K6yjmQSC/w2dBdnDkviDkOQ"), refused);
    }

    [Fact]
    public void An_audit_line_names_the_session_and_unescapes_its_command()
    {
        Assert.True(AuditLine.TryParse("start\t1700000000\talice\tSHA256:x\t127.0.0.1\t51222\t4242\t4240\tprintf 'a\\tb\\n' \\\\ done", out var entry));

        Assert.Equal(
            new AuditLine(DateTimeOffset.FromUnixTimeSeconds(1700000000), "alice", "SHA256:x", "127.0.0.1", 51222, 4242, 4240, "printf 'a\tb\n' \\ done"),
            entry);
    }

    [Theory]
    [InlineData("ro", true)]
    [InlineData("rw", false)]
    public void An_audit_line_says_whether_its_session_can_only_watch(string mode, bool readOnly)
    {
        Assert.True(AuditLine.TryParse($"start\t1700000000\tbob\tSHA256:y\t127.0.0.1\t51223\t4243\t4241\t\t{mode}", out var entry));

        Assert.Equal(
            new AuditLine(DateTimeOffset.FromUnixTimeSeconds(1700000000), "bob", "SHA256:y", "127.0.0.1", 51223, 4243, 4241, string.Empty, readOnly),
            entry);
        Assert.False(AuditLine.TryParse("start\t1700000000\tbob\tSHA256:y\t127.0.0.1\t51223\t4243\t4241\t\tmaybe", out _));
    }

    [Theory]
    [InlineData("ssh")]
    [InlineData("web")]
    public void An_audit_line_says_whether_its_session_came_from_the_browser_terminal(string via)
    {
        Assert.True(AuditLine.TryParse($"start\t1700000000\tbob\tSHA256:y\t127.0.0.1\t51223\t4243\t4241\twatch\tro\t{via}", out var entry));

        Assert.Equal(
            new AuditLine(DateTimeOffset.FromUnixTimeSeconds(1700000000), "bob", "SHA256:y", "127.0.0.1", 51223, 4243, 4241, "watch", ReadOnly: true, Via: via),
            entry);
    }

    [Fact]
    public void An_audit_line_of_before_the_browser_terminal_came_from_ssh_and_an_unknown_way_in_is_not_an_audit_line()
    {
        Assert.True(AuditLine.TryParse("start\t1700000000\tbob\tSHA256:y\t127.0.0.1\t51223\t4243\t4241\t\trw", out var tenFields));
        Assert.True(AuditLine.TryParse("start\t1700000000\tbob\tSHA256:y\t127.0.0.1\t51223\t4243\t4241\t", out var nineFields));

        Assert.Equal(("ssh", false), (tenFields.Via, tenFields.ReadOnly));
        Assert.Equal(("ssh", false), (nineFields.Via, nineFields.ReadOnly));
        Assert.False(AuditLine.TryParse("start\t1700000000\tbob\tSHA256:y\t127.0.0.1\t51223\t4243\t4241\t\trw\ttelnet", out _));
        Assert.False(AuditLine.TryParse("start\t1700000000\tbob\tSHA256:y\t127.0.0.1\t51223\t4243\t4241\t\tweb", out _));
        Assert.False(AuditLine.TryParse("start\t1700000000\tbob\tSHA256:y\t127.0.0.1\t51223\t4243\t4241\t\trw\tweb\textra", out _));
    }
}
