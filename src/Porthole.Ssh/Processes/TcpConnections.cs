using System.Globalization;
using System.Net;

namespace Porthole.Ssh.Processes;

/// <summary>
/// Finds the socket of one TCP connection in /proc/net/tcp and tcp6, by its two ports: how an endpoint finds the sshd
/// process of a connection that has no session yet (nothing else names it: sshd overwrites its own title and environment).
/// The tables are read where sshd's network has them: <c>/proc/net</c>, or <c>/proc/PID/net</c> of a process in the
/// container's network that a docker node's sshd joined.
/// The kernel's socket tables are SSH's concern; which process holds a socket is read by the shared
/// <see cref="Porthole.Execution.Processes.ProcSockets"/>.
/// </summary>
internal static class TcpConnections
{
    public static HashSet<long> SocketInodes(string tables, int localPort, IPAddress remoteAddress, int remotePort)
    {
        var inodes = new HashSet<long>();
        foreach (var (local, remote, inode) in Sockets(tables))
        {
            if (local.Port == localPort && remote.Port == remotePort && Same(remote.Address, remoteAddress))
            {
                inodes.Add(inode);
            }
        }

        return inodes;
    }

    /// <summary>The clients connected to <paramref name="localPort"/> now, from one read of the socket tables.</summary>
    public static HashSet<IPEndPoint> ClientsOf(string tables, int localPort)
    {
        var clients = new HashSet<IPEndPoint>();
        foreach (var (local, remote, _) in Sockets(tables))
        {
            if (local.Port == localPort && remote.Port != 0)
            {
                clients.Add(Client(remote.Address, remote.Port));
            }
        }

        return clients;
    }

    public static IPEndPoint Client(IPAddress address, int port) =>
        new(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port);

    /// <summary>The sockets that a process holds (inode not 0: not TIME_WAIT and the like).</summary>
    private static IEnumerable<(IPEndPoint Local, IPEndPoint Remote, long Inode)> Sockets(string tables)
    {
        foreach (var table in new[] { Path.Combine(tables, "tcp"), Path.Combine(tables, "tcp6") })
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(table);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var line in lines.Skip(1))
            {
                if (TryParse(line, out var local, out var remote, out var inode) && inode != 0)
                {
                    yield return (local, remote, inode);
                }
            }
        }
    }

    /// <summary>Parses "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …" (addresses in hex).</summary>
    internal static bool TryParse(string line, out IPEndPoint local, out IPEndPoint remote, out long inode)
    {
        local = remote = new IPEndPoint(IPAddress.None, 0);
        inode = 0;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 9
            && TryParseEndPoint(fields[1], out local)
            && TryParseEndPoint(fields[2], out remote)
            && long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out inode);
    }

    private static bool TryParseEndPoint(string text, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.None, 0);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        var hex = text[..colon];
        if (hex.Length is not (8 or 32))
        {
            return false;
        }

        // The kernel prints each 32-bit word of the address in host (little-endian) order.
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            for (var i = 0; i < 4; i++)
            {
                if (!byte.TryParse(hex.AsSpan((word * 8) + (i * 2), 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
                {
                    return false;
                }

                bytes[(word * 4) + 3 - i] = b;
            }
        }

        endPoint = new IPEndPoint(new IPAddress(bytes), port);
        return true;
    }

    private static bool Same(IPAddress a, IPAddress b)
    {
        if (a.IsIPv4MappedToIPv6)
        {
            a = a.MapToIPv4();
        }

        if (b.IsIPv4MappedToIPv6)
        {
            b = b.MapToIPv4();
        }

        return a.Equals(b);
    }
}
