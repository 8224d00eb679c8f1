using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Porthole.Execution.Processes;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The advertised port of a docker node whose sshd runs in the primary container's network (R-BEY-5): listens on the
/// runner's listen addresses and relays every connection, byte for byte, to sshd on <c>127.0.0.1</c> of that network,
/// through a socket made there (<see cref="NetworkNamespace"/>). It keeps which client each relayed connection came from,
/// for sshd logs the relay's own address. Disposing it ends the listeners and every relayed connection.
/// </summary>
internal sealed class SshdRelay : IAsyncDisposable
{
    private readonly NetworkNamespace _network;
    private readonly TimeProvider _timeProvider;
    private readonly List<Socket> _listeners;
    private readonly int _port;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, IPEndPoint> _clients = new();
    private readonly ConcurrentDictionary<Task, bool> _relays = new();
    private readonly List<Task> _accepting = [];
    private Task? _disposed;

    private SshdRelay(NetworkNamespace network, List<Socket> listeners, int port, TimeProvider timeProvider)
    {
        _network = network;
        _timeProvider = timeProvider;
        _listeners = listeners;
        _port = port;
    }

    /// <summary>The port sshd listens on inside the node's network, the same number as the one advertised.</summary>
    public int Port => _port;

    /// <summary>
    /// Listens on <paramref name="port"/> of every address; null and why when one cannot be bound (another program took
    /// the port meanwhile: the endpoint tries the next). A relay started owns <paramref name="network"/>.
    /// </summary>
    public static (SshdRelay? Relay, string? Problem) Start(NetworkNamespace network, IReadOnlyList<string> addresses, int port, TimeProvider timeProvider)
    {
        var listeners = new List<Socket>();
        try
        {
            foreach (var address in addresses)
            {
                var ip = IPAddress.Parse(address);
                var listener = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                listeners.Add(listener);
                if (ip.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    // As sshd binds: an IPv6 address takes IPv6 only, so that 0.0.0.0 and :: can both be listed.
                    listener.DualMode = false;
                }

                listener.Bind(new IPEndPoint(ip, port));
                listener.Listen(512);
            }
        }
        catch (SocketException e)
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }

            return (null, $"port {port}: the runner could not listen on it: {e.Message}");
        }

        var relay = new SshdRelay(network, listeners, port, timeProvider);
        foreach (var listener in listeners)
        {
            relay._accepting.Add(relay.AcceptAsync(listener));
        }

        return (relay, null);
    }

    /// <summary>
    /// Who a connection that sshd logged as coming from <paramref name="address"/> and <paramref name="port"/> came from:
    /// the relay's own socket names its client; anything else (a process of the container itself) is as sshd saw it.
    /// </summary>
    public (string Address, int Port) ClientOf(string address, int port)
    {
        if (address != "127.0.0.1" || !_clients.TryGetValue(port, out var client))
        {
            return (address, port);
        }

        var ip = client.Address.IsIPv4MappedToIPv6 ? client.Address.MapToIPv4() : client.Address;
        return (ip.ToString(), client.Port);
    }

    public ValueTask DisposeAsync()
    {
        lock (_accepting)
        {
            _disposed ??= DisposeOnceAsync();
            return new ValueTask(_disposed);
        }
    }

    private async Task DisposeOnceAsync()
    {
        await _stop.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_accepting);
        await Task.WhenAll(_relays.Keys);
        _network.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                // Out of descriptors, say: try again in a moment rather than spin.
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _timeProvider, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            var relay = RelayAsync(client);
            _relays[relay] = true;
            _ = relay.ContinueWith(t => _relays.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        await Task.Yield();
        Socket? sshd = null;
        int? relayPort = null;
        try
        {
            sshd = await _network.CreateSocketAsync(AddressFamily.InterNetwork);
            await sshd.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _port), _stop.Token);
            relayPort = ((IPEndPoint)sshd.LocalEndPoint!).Port;
            _clients[relayPort.Value] = (IPEndPoint)client.RemoteEndPoint!;
            using var closing = _stop.Token.Register(() =>
            {
                client.Dispose();
                sshd.Dispose();
            });
            await Task.WhenAll(PumpAsync(client, sshd), PumpAsync(sshd, client));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client or sshd went away, or the endpoint ended: nothing to say, the other side closes below.
        }
        finally
        {
            if (relayPort is { } port)
            {
                _clients.TryRemove(port, out _);
            }

            client.Dispose();
            sshd?.Dispose();
        }
    }

    /// <summary>Copies until <paramref name="from"/> has no more to send, then says so to <paramref name="to"/> (a half close).</summary>
    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stop.Token);
                }
            }
        }
        catch
        {
            // One side failed: end both, so that the other direction does not wait for ever.
            from.Dispose();
            to.Dispose();
            throw;
        }
    }
}
