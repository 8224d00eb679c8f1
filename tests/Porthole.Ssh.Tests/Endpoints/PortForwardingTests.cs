using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Porthole.Contracts.Runners;
using Porthole.Ssh.Endpoints;
using Porthole.Contracts.Ssh;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>
/// IDE-complete SSH (R-BEY-5) with the real sshd and ssh client: VS Code Remote-SSH's way in (a script on the stdin of
/// <c>ssh -T … bash</c> starts a server in the node, then a local forward reaches it), and the project's
/// <c>ssh_port_forwarding</c>: off refuses every forward; on allows the node's own loopback only, never another host,
/// never a remote forward.
/// </summary>
public sealed partial class PortForwardingTests
{
    private const string AliceKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICN4/FBaB1wZaj7WtzBwTOZ2b/jKcLJPrKbBUn5Wvf4t";
    private const string BobKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMoOkUyr6L1ACyDHItSRnx9UaQTELpxc2PqJHGMPJ8nB";
    private const string WebKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICiNEOk3mQgay4qIUWZvxJ3jgk9XW4Q307yyYz6arlr4";

    /// <summary>What VS Code's server-start script does, reduced: start a server on the node's loopback, print its port, stay.</summary>
    private const string ServerScript = """
        set -e
        dir=$(mktemp -d)
        cd "$dir"
        echo "hello from $CIRCLE_JOB" > index.html
        command -v python3 >/dev/null || { echo "this test needs python3 in the node" >&2; exit 3; }
        : > server.log
        python3 -u -m http.server --bind 127.0.0.1 0 > server.log 2>&1 &
        server=$!
        trap 'kill $server; rm -rf "$dir"' EXIT
        port=
        for _ in $(seq 100); do
          port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' server.log)
          [ -n "$port" ] && break
          sleep 0.1
        done
        echo "listeningOn==$port=="

        """;

    [Fact]
    public async Task Vs_code_remote_ssh_starts_its_server_through_a_script_on_stdin_and_reaches_it_through_a_forward()
    {
        await using var node = await EnabledNodeAsync(portForwarding: true);

        // (a) ssh -T HOST bash, no terminal, the script on stdin, which stays open as VS Code keeps it.
        var session = node.Programs.Start("ssh", ["-T", .. node.SshArguments(node.Alice, "bash")], ServerScript);
        await Wait.UntilAsync(() => ListeningOn().IsMatch(session.OutputSoFar) || session.HasExited, "the server's port");
        Assert.False(session.HasExited, session.HasExited ? (await session.WaitAsync(TimeSpan.FromSeconds(5))).Error : "");
        var port = int.Parse(ListeningOn().Match(session.OutputSoFar).Groups[1].Value, CultureInfo.InvariantCulture);

        // (b) ssh -N -L LOCAL:127.0.0.1:PORT, and a fetch through it.
        var local = FreePort();
        var forward = node.Programs.Start("ssh", ["-N", "-o", "ExitOnForwardFailure=yes", "-L", $"{local}:127.0.0.1:{port}", .. node.SshArguments(node.Alice)]);
        Assert.Equal("hello from build\n", await FetchAsync(local, forward));

        // VS Code's own default (remote.SSH.useLocalServer): a SOCKS forward (-D), to localhost this time.
        var socks = FreePort();
        var dynamic = node.Programs.Start("ssh", ["-N", "-o", "ExitOnForwardFailure=yes", "-D", $"127.0.0.1:{socks}", .. node.SshArguments(node.Alice)]);
        await WaitForListenerAsync(socks, dynamic);
        using (var client = new HttpClient(new HttpClientHandler { Proxy = new SocksProxy(new Uri($"socks5://127.0.0.1:{socks}")), UseProxy = true }))
        {
            Assert.Equal("hello from build\n", await client.GetStringAsync(new Uri($"http://localhost:{port}/index.html")));
        }

        // The session ends when its stdin does; its server goes with it (the script's trap).
        session.CloseInput();
        var ended = await session.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(ended.ExitCode == 0, ended.Error);
    }

    [Fact]
    public async Task With_the_setting_off_a_local_forward_is_refused_and_sshd_says_so()
    {
        await using var node = await EnabledNodeAsync(portForwarding: false);
        using var target = new TcpListener(IPAddress.Loopback, 0);
        target.Start();
        var port = ((IPEndPoint)target.LocalEndpoint).Port;

        var refusal = await RefusedForwardAsync(node, $"127.0.0.1:{port}");

        Assert.Contains("administratively prohibited", refusal, StringComparison.Ordinal);
        Assert.False(target.Pending());
    }

    [Fact]
    public async Task With_the_setting_on_a_forward_to_another_host_or_a_remote_forward_is_refused_and_switching_it_off_applies_to_new_connections()
    {
        await using var node = await EnabledNodeAsync(portForwarding: true);
        using var other = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        other.Start();
        var otherPort = ((IPEndPoint)other.LocalEndpoint).Port;

        Assert.Contains("administratively prohibited", await RefusedForwardAsync(node, $"127.0.0.2:{otherPort}"), StringComparison.Ordinal);
        Assert.Contains("administratively prohibited", await RefusedForwardAsync(node, "10.1.2.3:80"), StringComparison.Ordinal);
        Assert.False(other.Pending());

        // -R: the node never listens for the client.
        var remote = await node.Programs.RunAsync("ssh", ["-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9", .. node.SshArguments(node.Alice)]);
        Assert.NotEqual(0, remote.ExitCode);
        Assert.Contains("remote port forwarding failed", remote.Error, StringComparison.Ordinal);

        // A forward to the node's loopback works; once the setting is off, a new connection's is refused.
        using var target = new TcpListener(IPAddress.Loopback, 0);
        target.Start();
        var port = ((IPEndPoint)target.LocalEndpoint).Port;
        var local = FreePort();
        var forward = node.Programs.Start("ssh", ["-N", "-o", "ExitOnForwardFailure=yes", "-L", $"{local}:127.0.0.1:{port}", .. node.SshArguments(node.Alice)]);
        await WaitForListenerAsync(local, forward);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, local);
            using var accepted = await target.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        // (A listener of its own: the ssh client's readiness probe above went through to the first.)
        await node.Endpoint.UpdateKeysAsync([node.Grant("alice", node.Alice)], openAccess: true, portForwarding: false);
        using var after = new TcpListener(IPAddress.Loopback, 0);
        after.Start();
        Assert.Contains("administratively prohibited", await RefusedForwardAsync(node, $"127.0.0.1:{((IPEndPoint)after.LocalEndpoint).Port}"), StringComparison.Ordinal);
        Assert.False(after.Pending());
    }

    [Fact]
    public void Only_keys_that_may_type_forward_and_only_to_the_nodes_own_addresses()
    {
        var grants = KeyGrant.From(
        [
            new SshGrant(1, "alice", string.Empty, AliceKey),
            new SshGrant(2, "bob", string.Empty, BobKey, ReadOnly: true),
            new SshGrant(1, "alice", string.Empty, WebKey, Web: true),
        ]);
        Assert.Equal(3, grants.Count);

        var lines = AuthorizedKeysText.Render(grants, "/bin/bash", "/ssh/attach.sh", ["127.0.0.1", "localhost", "fd00::2"]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var off = AuthorizedKeysText.Render(grants, "/bin/bash", "/ssh/attach.sh").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.StartsWith("restrict,pty,port-forwarding,permitopen=\"127.0.0.1:*\",permitopen=\"localhost:*\",permitopen=\"[fd00::2]:*\",command=", lines[0], StringComparison.Ordinal);
        Assert.All(lines.Skip(1).Concat(off), l => Assert.StartsWith("restrict,pty,command=", l, StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => AuthorizedKeysText.ForwardTarget("127.0.0.1\",command=\"x"));
    }

    private static async Task<SshNode> EnabledNodeAsync(bool portForwarding)
    {
        var node = await SshNode.CreateAsync(portForwarding: portForwarding);
        var enabled = await node.EnableAsync();
        Assert.True(enabled.State == StepState.Success, node.EnableText);
        return node;
    }

    /// <summary>Opens <c>ssh -N -L</c> to <paramref name="target"/>, connects through it, and returns what the client said once the node refused.</summary>
    internal static async Task<string> RefusedForwardAsync(SshNode node, string target)
    {
        var local = FreePort();
        // LogLevel first: ssh takes the first value of an option, and the node's client options ask for errors only.
        var forward = node.Programs.Start("ssh", ["-o", "LogLevel=INFO", "-N", "-L", $"{local}:{target}", .. node.SshArguments(node.Alice)]);
        await WaitForListenerAsync(local, forward);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, local);
            var stream = client.GetStream();
            var read = await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, read);
        }

        await Task.Delay(200);
        KillOnly(forward);
        var result = await forward.WaitAsync(TimeSpan.FromSeconds(10));
        return result.Error;
    }

    private static void KillOnly(RunningProgram program)
    {
        using var process = System.Diagnostics.Process.GetProcessById(program.Id);
        process.Kill();
    }

    internal static async Task<string> FetchAsync(int local, RunningProgram forward)
    {
        await WaitForListenerAsync(local, forward);
        using var client = new HttpClient();
        return await client.GetStringAsync(new Uri($"http://127.0.0.1:{local}/index.html"));
    }

    /// <summary>Waits until the ssh client listens on <paramref name="port"/> (it does once it has logged in).</summary>
    internal static async Task WaitForListenerAsync(int port, RunningProgram ssh)
    {
        await Wait.UntilAsync(
            async () =>
            {
                if (ssh.HasExited)
                {
                    var result = await ssh.WaitAsync(TimeSpan.FromSeconds(5));
                    throw new InvalidOperationException($"{ssh} ended ({result.ExitCode}): {result.Error}");
                }

                using var probe = new TcpClient();
                try
                {
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            $"ssh to listen on {port}");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("listeningOn==([0-9]+)==")]
    private static partial Regex ListeningOn();

    /// <summary>A SOCKS proxy for every address, loopback too (WebProxy never proxies the loopback).</summary>
    internal sealed class SocksProxy(Uri proxy) : IWebProxy
    {
        public ICredentials? Credentials { get; set; }

        public Uri GetProxy(Uri destination) => proxy;

        public bool IsBypassed(Uri host) => false;
    }
}
