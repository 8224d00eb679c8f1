using System.Net;
using Porthole.Execution.Processes;
using Porthole.Ssh.Processes;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// Finds and ends, by id, the processes of an endpoint: sshd's tree (the listener, each connection's monitor and
/// session processes) and whatever the sessions started, also what left their session, by the variables the attach
/// script exports (<see cref="ScriptTexts.EndpointVariable"/>, <see cref="ScriptTexts.SessionVariable"/>).
/// </summary>
internal static class EndpointProcesses
{
    /// <summary>Closes one connection at once: sshd's processes of it, its sessions and whatever they started (R-SSH-11).</summary>
    public static Task CloseConnectionAsync(Running running, SshConnection connection, string endpointId)
    {
        var sockets = ConnectionSockets(running, connection);
        var sessionTags = connection.Sessions.Select(s => $"{ScriptTexts.SessionVariable}={endpointId}-{s.ProcessId}").ToList();
        return ProcessKiller.KillAsync(table =>
        {
            if (SshdPid(running, table) is not { } sshdPid)
            {
                return [.. sessionTags.SelectMany(table.WithEnvironmentEntry)];
            }

            // The connection's processes: the one its sessions named as their parent (by its id in the node's pid
            // namespace, as the attach script saw it), and those holding its socket (a connection without a session has
            // nothing else that names it).
            var roots = table.Tree(sshdPid).Where(pid => pid != sshdPid
                && (connection.Sessions.Any(s => s.ConnectionProcessId == ProcFs.InnermostPid(pid)) || ProcSockets.InodesOf(pid).Overlaps(sockets)));
            var victims = new HashSet<int>();
            foreach (var root in roots)
            {
                victims.UnionWith(table.Tree(root));
            }

            foreach (var tag in sessionTags)
            {
                victims.UnionWith(table.WithEnvironmentEntry(tag));
            }

            return victims;
        });
    }

    /// <summary>Ends sshd, every connection and every session process of the endpoint (R-SSH-9).</summary>
    public static Task EndAllAsync(Running running, string endpointId)
    {
        var endpointTag = $"{ScriptTexts.EndpointVariable}={endpointId}";
        return ProcessKiller.KillAsync(table =>
        {
            var victims = SshdPid(running, table) is { } sshdPid ? table.Tree(sshdPid) : [];
            victims.UnionWith(table.WithEnvironmentEntry(endpointTag));
            return victims;
        });
    }

    /// <summary>
    /// sshd's id in the runner's process table, or null once it is gone. The supervisor prints it as the node's pid
    /// namespace numbers it (a sandboxed node has its own), so it is looked for among the supervisor's descendants by that
    /// number, never taken for an id of the runner's: there it could name any process of the host.
    /// </summary>
    private static int? SshdPid(Running running, ProcessTable table)
    {
        var inner = running.Sshd.SshdPid;
        foreach (var pid in table.Tree(running.Process.Id))
        {
            if (pid != running.Process.Id && ProcFs.InnermostPid(pid) == inner)
            {
                return pid;
            }
        }

        return null;
    }

    /// <summary>Whether the connection's TCP socket is gone: it ended even if sshd said nothing (its process was killed, say).</summary>
    public static Func<SshConnection, bool> Vanished(Running running)
    {
        var connected = TcpConnections.ClientsOf(running.SocketTables, running.Info.Port);
        return c => !IPAddress.TryParse(c.Address, out var address) || !connected.Contains(TcpConnections.Client(address, c.Port));
    }

    private static HashSet<long> ConnectionSockets(Running running, SshConnection connection) =>
        IPAddress.TryParse(connection.Address, out var address)
            ? TcpConnections.SocketInodes(running.SocketTables, running.Info.Port, address, connection.Port)
            : [];
}
