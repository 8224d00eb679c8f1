using System.Net;
using System.Net.Sockets;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// Picks ports for nodes' sshd: the lowest port of the range that no endpoint of this process holds and that can be
/// bound on every listen address right now. sshd may still lose a race for it to another program; the endpoint then
/// tries the next one.
/// </summary>
internal static class PortReservations
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Reserved = [];

    public static int? Reserve(SshOptions options, IReadOnlySet<int> skip)
    {
        lock (Gate)
        {
            for (var port = options.PortRangeStart; port <= options.PortRangeEnd; port++)
            {
                if (!Reserved.Contains(port) && !skip.Contains(port) && CanBind(port, options.ListenAddresses))
                {
                    Reserved.Add(port);
                    return port;
                }
            }

            return null;
        }
    }

    public static void Release(int port)
    {
        lock (Gate)
        {
            Reserved.Remove(port);
        }
    }

    private static bool CanBind(int port, IReadOnlyList<string> addresses)
    {
        foreach (var address in addresses)
        {
            var ip = IPAddress.Parse(address);
            using var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(ip, port));
                socket.Listen(1);
            }
            catch (SocketException)
            {
                return false;
            }
        }

        return true;
    }
}
