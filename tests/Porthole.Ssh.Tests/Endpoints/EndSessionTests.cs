using Porthole.Contracts.Ssh;
using Porthole.Execution.Processes;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Endpoints;

/// <summary>An admin ends one session (R-DBG-7): the endpoint closes that connection as it closes a revoked key's, and no other.</summary>
public sealed class EndSessionTests
{
    [Fact]
    public async Task Ending_a_session_closes_its_connection_only_and_reports_it_ended()
    {
        await using var node = await SshNode.CreateAsync();
        await node.EnableAsync();
        var pidFile = Path.Combine(node.Evidence, "ended.pid");
        var ending = node.StartSsh(node.Alice, $"echo $$ > {pidFile}; exec sleep 60");
        var staying = node.StartSsh(node.Alice, "exec sleep 60");
        await Wait.UntilAsync(() => node.Endpoint.OpenSessionCount == 2, "two open sessions");
        await Wait.UntilAsync(() => File.Exists(pidFile) && new FileInfo(pidFile).Length > 0, "the session's pid");
        var sessionPid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var started = await node.Sink.WaitForAsync(e => e.Kind == SshEventKind.SessionStarted && e.Command!.Contains("ended.pid", StringComparison.Ordinal), "the session start");

        await node.Endpoint.EndSessionsAsync([new SshConnectionRef(started.Address, started.Port)]);

        Assert.Equal(255, (await ending.WaitAsync(TimeSpan.FromSeconds(5))).ExitCode);
        Assert.False(ProcFs.IsAlive(sessionPid));
        Assert.Contains(node.Sink.Events, e => e.Kind == SshEventKind.SessionEnded && e.Port == started.Port);
        Assert.Equal(1, node.Endpoint.OpenSessionCount);
        Assert.False(staying.HasExited);

        // Asking again, or for a connection that is not there, changes nothing.
        await node.Endpoint.EndSessionsAsync([new SshConnectionRef(started.Address, started.Port), new SshConnectionRef("127.0.0.1", 1)]);
        Assert.Equal(1, node.Endpoint.OpenSessionCount);
        Assert.False(staying.HasExited);
        Assert.Single(node.Sink.Events, e => e.Kind == SshEventKind.SessionEnded);
    }
}
