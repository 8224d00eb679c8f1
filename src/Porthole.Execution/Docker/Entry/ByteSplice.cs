using System.Buffers;
using System.Net.Sockets;

namespace Porthole.Execution.Docker.Entry;

/// <summary>
/// Copies bytes between two connected sockets with pooled buffers. The end of one direction (the peer shut down its write
/// side) is passed on as a shutdown of the other socket's write side, so <c>docker exec -i … &lt; file</c> ends when the
/// file does; an error in either direction ends both.
/// </summary>
internal static class ByteSplice
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Copies both ways until both directions have ended (or one failed).</summary>
    public static async Task BothWaysAsync(Socket client, Socket engine, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAll(PumpAsync(client, engine, failed), PumpAsync(engine, client, failed));
    }

    /// <summary>Copies one way until <paramref name="from"/> ends, then shuts down <paramref name="to"/>'s write side.</summary>
    public static async Task OneWayAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await PumpAsync(from, to, failed);
    }

    /// <summary>Sends every byte (a stream socket may take fewer than asked).</summary>
    public static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            bytes = bytes[sent..];
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationTokenSource failed)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, failed.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await SendAllAsync(to, buffer.AsMemory(0, read), failed.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            await failed.CancelAsync();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
