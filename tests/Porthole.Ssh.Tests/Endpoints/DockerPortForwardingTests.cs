using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Docker;
using Porthole.Execution.Executors;
using Porthole.Ssh.Processes;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>
/// VS Code Remote-SSH against a docker node (R-BEY-5), with the real sshd, ssh client and Docker: the node's sshd runs in
/// the primary container's network, so a forward to <c>127.0.0.1</c> reaches the container's loopback, where VS Code's
/// server listens, and never the runner's own; the advertised port is the runner's relay to it.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed partial class DockerPortForwardingTests
{
    /// <summary>VS Code's server-start script, reduced: a server on the container's loopback (perl: the image has no python), its port, and stay.</summary>
    private const string ServerScript = """
        perl -MIO::Socket::INET -e '
          $| = 1;
          my $server = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 5, ReuseAddr => 1) or die "listen: $!";
          print "listeningOn==", $server->sockport, "==\n";
          while (my $client = $server->accept) {
            while (defined(my $line = <$client>)) { last if $line =~ /^\r?\n$/ }
            my $body = "hello from $ENV{CIRCLE_JOB} in " . (-e "/.dockerenv" ? "the container" : "the host") . "\n";
            print $client "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " . length($body) . "\r\nConnection: close\r\n\r\n$body";
            close $client;
          }' &
        server=$!
        trap 'kill $server' EXIT

        """;

    [Fact]
    public async Task Vs_code_starts_its_server_on_the_containers_loopback_and_reaches_it_through_a_local_and_a_socks_forward()
    {
        await using var node = await EnabledNodeAsync(portForwarding: true);

        // (a) ssh -T HOST bash, the script on stdin, which stays open as VS Code keeps it.
        var session = node.Programs.Start("ssh", ["-T", .. node.SshArguments(node.Alice, "bash")], ServerScript);
        await Wait.UntilAsync(() => ListeningOn().IsMatch(session.OutputSoFar) || session.HasExited, "the server's port");
        Assert.False(session.HasExited, session.HasExited ? (await session.WaitAsync(TimeSpan.FromSeconds(5))).Error : "");
        var port = int.Parse(ListeningOn().Match(session.OutputSoFar).Groups[1].Value, CultureInfo.InvariantCulture);

        // (b) ssh -N -L LOCAL:127.0.0.1:PORT, and a fetch through it.
        var local = PortForwardingTests.FreePort();
        var forward = node.Programs.Start("ssh", ["-N", "-o", "ExitOnForwardFailure=yes", "-L", $"{local}:127.0.0.1:{port}", .. node.SshArguments(node.Alice)]);
        Assert.Equal("hello from build in the container\n", await PortForwardingTests.FetchAsync(local, forward));

        // VS Code's default: a SOCKS forward (-D), to localhost this time.
        var socks = PortForwardingTests.FreePort();
        var dynamic = node.Programs.Start("ssh", ["-N", "-o", "ExitOnForwardFailure=yes", "-D", $"127.0.0.1:{socks}", .. node.SshArguments(node.Alice)]);
        await PortForwardingTests.WaitForListenerAsync(socks, dynamic);
        using (var client = new HttpClient(new HttpClientHandler { Proxy = new PortForwardingTests.SocksProxy(new Uri($"socks5://127.0.0.1:{socks}")), UseProxy = true }))
        {
            Assert.Equal("hello from build in the container\n", await client.GetStringAsync(new Uri($"http://localhost:{port}/index.html")));
        }

        // The session ends when its stdin does.
        session.CloseInput();
        var ended = await session.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(ended.ExitCode == 0, ended.Error);
    }

    [Fact]
    public async Task A_forward_never_reaches_the_runners_loopback_another_host_or_anything_with_the_setting_off()
    {
        using var runnerService = new TcpListener(IPAddress.Loopback, 0);
        runnerService.Start();
        var runnerPort = ((IPEndPoint)runnerService.LocalEndpoint).Port;
        using var other = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        other.Start();
        var otherPort = ((IPEndPoint)other.LocalEndpoint).Port;

        await using (var node = await EnabledNodeAsync(portForwarding: true))
        {
            // 127.0.0.1 is the container's own loopback: nothing listens there on the runner service's port.
            var refused = await PortForwardingTests.RefusedForwardAsync(node, $"127.0.0.1:{runnerPort}");
            Assert.Contains("Connection refused", refused, StringComparison.Ordinal);
            Assert.Contains("administratively prohibited", await PortForwardingTests.RefusedForwardAsync(node, $"127.0.0.2:{otherPort}"), StringComparison.Ordinal);
            Assert.Contains("administratively prohibited", await PortForwardingTests.RefusedForwardAsync(node, "10.1.2.3:80"), StringComparison.Ordinal);
        }

        await using (var node = await EnabledNodeAsync(portForwarding: false))
        {
            Assert.Contains("administratively prohibited", await PortForwardingTests.RefusedForwardAsync(node, $"127.0.0.1:{runnerPort}"), StringComparison.Ordinal);
        }

        Assert.False(runnerService.Pending());
        Assert.False(other.Pending());
    }

    [Fact]
    public async Task The_audit_names_the_real_client_an_admin_ends_a_session_by_it_and_the_relay_ends_with_the_endpoint()
    {
        await using var node = await EnabledNodeAsync(portForwarding: true);
        var port = node.Info.Port;
        var ended = node.StartSsh(node.Alice, "echo first; sleep 600");
        var staying = node.StartSsh(node.Alice, "echo second; sleep 600");
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 2 || ended.HasExited || staying.HasExited, "the sessions");
        Assert.Equal(2, node.Endpoint.OpenSessionCount);

        // sshd saw the relay's socket in the container; the event names the ssh client's own, on the runner's loopback.
        var started = await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted && e.Command!.Contains("first", StringComparison.Ordinal), "the first session");
        Assert.Equal("127.0.0.1", started.Address);
        Assert.Contains(new IPEndPoint(IPAddress.Loopback, started.Port), TcpConnections.ClientsOf("/proc/net", port));

        // The server names the connection as it was reported: that closes it, and only it.
        await node.Endpoint.EndSessionsAsync([new SshConnectionRef(started.Address, started.Port)]);
        Assert.Equal(255, (await ended.WaitAsync(TimeSpan.FromSeconds(10))).ExitCode);
        Assert.Contains(node.Sink.Events, e => e.Kind == SshEventKind.SessionEnded && e.Port == started.Port);
        Assert.False(staying.HasExited);

        await node.Endpoint.DisposeAsync();
        Assert.NotEqual(0, (await staying.WaitAsync(TimeSpan.FromSeconds(15))).ExitCode);
        Assert.Empty(TcpConnections.ClientsOf("/proc/net", port));
        using var again = new TcpListener(IPAddress.Loopback, port);
        again.Start();
    }

    [Fact]
    public async Task A_port_a_job_holds_in_the_container_is_skipped_and_never_relayed_to()
    {
        var (first, second) = TwoFreePorts();
        await DockerTestImages.EnsureAsync();
        await using var node = await SshNode.CreateAsync(
            container: new ContainerSpec(DockerTestImages.Debian) { User = "circleci" },
            configure: o => o with { PortRangeStart = first, PortRangeEnd = second });

        // The job listens first on the container's loopback, on the port the runner's host has free: sshd cannot bind it there.
        var squatter = await node.Node.StartAsync(
            new StepLaunch(["perl", "-MIO::Socket::INET", "-e", $"$s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => {first}, Listen => 5) or die $!; print \"up\\n\"; $c = $s->accept; print \"relayed\\n\"; sleep 600"], node.Node.BaseEnvironment, "/"),
            new Collected(),
            CancellationToken.None);
        var container = ContainerPid(node);
        await Wait.UntilAsync(() => Listening(container, first) || squatter.Exited.IsCompleted, "the job's listener");
        Assert.False(squatter.Exited.IsCompleted);

        var enabled = await node.EnableAsync();
        Assert.True(enabled.State == StepState.Success, node.EnableText);
        Assert.Equal(second, node.Info.Port);
        var result = await node.SshAsync(node.Alice, "echo in");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("in\n", result.Output);
        Assert.False(squatter.Exited.IsCompleted);
        await squatter.StopAsync();
    }

    private static async Task<SshNode> EnabledNodeAsync(bool portForwarding)
    {
        await DockerTestImages.EnsureAsync();
        var node = await SshNode.CreateAsync(container: new ContainerSpec(DockerTestImages.Debian) { User = "circleci" }, portForwarding: portForwarding);
        try
        {
            var enabled = await node.EnableAsync();
            Assert.True(enabled.State == StepState.Success, node.EnableText);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    [GeneratedRegex("listeningOn==([0-9]+)==")]
    private static partial Regex ListeningOn();

    /// <summary>Whether something listens on <paramref name="port"/> in the container of <paramref name="pid"/> (its table, read on the host).</summary>
    private static bool Listening(int pid, int port)
    {
        var hex = ":" + port.ToString("X4", CultureInfo.InvariantCulture) + " ";
        return File.ReadAllLines($"/proc/{pid}/net/tcp").Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var local, _, "0A", ..] && (local + " ").EndsWith(hex, StringComparison.Ordinal));
    }

    /// <summary>The node's primary container's first process, on the runner's host.</summary>
    private static int ContainerPid(SshNode node)
    {
        var id = Docker("ps", "-q", "--filter", $"label={ContainerLabels.Node}={node.DockerTag}", "--filter", $"label={ContainerLabels.Role}=primary");
        return int.Parse(Docker("inspect", "-f", "{{.State.Pid}}", id), CultureInfo.InvariantCulture);
    }

    private static string Docker(params string[] arguments)
    {
        using var docker = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("docker", arguments) { RedirectStandardOutput = true })!;
        var output = docker.StandardOutput.ReadToEnd().Trim();
        docker.WaitForExit();
        return output;
    }

    private static (int First, int Second) TwoFreePorts()
    {
        for (var port = 40000 + Random.Shared.Next(20000); ; port = 40000 + Random.Shared.Next(20000))
        {
            try
            {
                using var a = new TcpListener(IPAddress.Loopback, port);
                a.Start();
                using var b = new TcpListener(IPAddress.Loopback, port + 1);
                b.Start();
                return (port, port + 1);
            }
            catch (SocketException)
            {
            }
        }
    }

    private sealed class Collected : IStepOutput
    {
        public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
