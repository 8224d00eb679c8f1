using System.Buffers;
using System.Net.Sockets;

namespace Porthole.Execution.Docker.Entry;

/// <summary>
/// The bytes read from one side of a connection and not yet passed on, in a pooled array that grows (up to a limit) only
/// while a request head or body needs it; most requests fit in the first 4 KiB.
/// </summary>
internal sealed class ReceiveBuffer : IDisposable
{
    private const int InitialSize = 4096;
    private byte[] _array = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _count;

    public ReadOnlyMemory<byte> Data => _array.AsMemory(0, _count);

    public int Count => _count;

    /// <summary>Reads until the buffer holds a head ending in CRLF CRLF; its length, or an outcome saying why there is none.</summary>
    public async ValueTask<(HeadOutcome Outcome, int Length)> ReadHeadAsync(Socket socket, int limit, CancellationToken cancellationToken)
    {
        var searched = 0;
        while (true)
        {
            var found = _array.AsSpan(searched, _count - searched).IndexOf("\r\n\r\n"u8);
            if (found >= 0 && searched + found + 4 <= limit)
            {
                return (HeadOutcome.Complete, searched + found + 4);
            }

            if (found >= 0 || _count >= limit)
            {
                return (HeadOutcome.TooLarge, 0);
            }

            searched = Math.Max(0, _count - 3);
            if (await FillAsync(socket, limit, cancellationToken) == 0)
            {
                return (HeadOutcome.Closed, 0);
            }
        }
    }

    /// <summary>Reads until the buffer holds at least <paramref name="total"/> bytes; false when the peer ended first.</summary>
    public async ValueTask<bool> ReadAtLeastAsync(Socket socket, int total, CancellationToken cancellationToken)
    {
        while (_count < total)
        {
            if (await FillAsync(socket, total, cancellationToken) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads until the peer ends (true) or the buffer holds <paramref name="limit"/> bytes (false).</summary>
    public async ValueTask<bool> ReadToEndAsync(Socket socket, int limit, CancellationToken cancellationToken)
    {
        while (_count < limit)
        {
            if (await FillAsync(socket, limit, cancellationToken) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Drops the first <paramref name="length"/> bytes (a head or body passed on).</summary>
    public void Consume(int length)
    {
        _array.AsSpan(length, _count - length).CopyTo(_array);
        _count -= length;
    }

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, []);
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private async ValueTask<int> FillAsync(Socket socket, int wanted, CancellationToken cancellationToken)
    {
        if (_count == _array.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_count + 1, Math.Min(wanted, _array.Length * 2)));
            _array.AsSpan(0, _count).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = larger;
        }

        var read = await socket.ReceiveAsync(_array.AsMemory(_count), SocketFlags.None, cancellationToken);
        _count += read;
        return read;
    }
}

internal enum HeadOutcome
{
    Complete,
    TooLarge,
    Closed,
}
