using System.Net.Sockets;

namespace Porthole.Execution.Tests.Support;

/// <summary>
/// A unix socket that forwards every connection to the machine's Docker engine: the engine as the runner sees it,
/// which a test can take away (every connection cut, nothing answers) and bring back, as a restart of dockerd would.
/// </summary>
internal sealed class EngineForwarder : IDisposable
{
    private const string Engine = "/var/run/docker.sock";
    private readonly string _path;
    private readonly Lock _gate = new();
    private readonly List<Socket> _open = [];
    private Socket? _listener;

    public EngineForwarder(string path)
    {
        _path = path;
        Start();
    }

    public Uri Endpoint => new("unix://" + _path);

    /// <summary>Listens (again): new connections reach the engine.</summary>
    public void Start()
    {
        File.Delete(_path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(_path));
        listener.Listen(64);
        lock (_gate)
        {
            _listener = listener;
        }

        _ = AcceptAsync(listener);
    }

    /// <summary>Cuts every connection and stops answering, as an engine that went away.</summary>
    public void Stop()
    {
        Socket[] open;
        lock (_gate)
        {
            _listener?.Dispose();
            _listener = null;
            open = [.. _open];
            _open.Clear();
        }

        foreach (var socket in open)
        {
            socket.Dispose();
        }

        File.Delete(_path);
    }

    public void Dispose() => Stop();

    private async Task AcceptAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await engine.ConnectAsync(new UnixDomainSocketEndPoint(Engine));
            }
            catch (SocketException)
            {
                client.Dispose();
                engine.Dispose();
                continue;
            }

            lock (_gate)
            {
                _open.Add(client);
                _open.Add(engine);
            }

            _ = PumpAsync(client, engine);
            _ = PumpAsync(engine, client);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
