using Docker.DotNet;

namespace Porthole.Execution.Docker;

/// <summary>An exec's stdin as a write-only stream: what is written goes to the exec; disposing it closes the exec's stdin.</summary>
internal sealed class ExecStdin(MultiplexedStream stream) : Stream
{
    private bool _closed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_closed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        stream.WriteAsync(buffer, offset, count, cancellationToken);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(buffer, out var segment) && segment.Array is not null)
        {
            await stream.WriteAsync(segment.Array, segment.Offset, segment.Count, cancellationToken);
            return;
        }

        var copy = buffer.ToArray();
        await stream.WriteAsync(copy, 0, copy.Length, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            stream.CloseWrite();
        }

        base.Dispose(disposing);
    }
}
