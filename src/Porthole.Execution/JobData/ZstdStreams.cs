using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Porthole.Execution.JobData;

/// <summary>
/// The zstd streams caches and workspace layers are stored in (ZstdSharp, a managed port of libzstd, so no native
/// library has to be on the node). Streaming both ways: the archive is never whole in memory.
/// </summary>
public static class ZstdStreams
{
    /// <summary>
    /// zstd's own default. On a 200 MB mix of sources, docs and binaries, level 1 compressed 10–30% faster per core
    /// (about 300 MB/s against 250; the zstd 1.5.4 CLI: 303 and 244) but its output was 27% larger (ratio 2.25 against
    /// 2.86). A cache is written once and read many times, across the network: the smaller archive wins.
    /// </summary>
    public const int DefaultLevel = 3;

    /// <summary>
    /// What caches and workspace layers are compressed at. On bench/cache's tree (20,000 small JavaScript-like files,
    /// 200 MB), this port at level 3 took 3.5 s of CPU where the zstd CLI took 1.7, and level 1 took 1.4–2.2 s for an
    /// archive no larger (65 MB against 72): the port's level 1 keeps a save near the speed of <c>tar | zstd</c>.
    /// </summary>
    public const int FastLevel = 1;

    /// <summary>
    /// A stream that compresses what is written to it into <paramref name="destination"/>; disposing it writes the end
    /// of the frame. <paramref name="workers"/> &gt; 0 compresses on that many threads (libzstd's nbWorkers), which a
    /// busy two-core node gains nothing from; 0 compresses on the writing thread.
    /// </summary>
    public static Stream Compress(Stream destination, int level = DefaultLevel, bool leaveOpen = false, int workers = 0)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 19);
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        var stream = new CompressionStream(destination, level, leaveOpen: leaveOpen);
        if (workers > 0)
        {
            stream.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, workers);
        }

        return stream;
    }

    /// <summary>
    /// A stream that reads <paramref name="source"/>'s zstd frames decompressed. Data that is not zstd, or that ends in
    /// the middle of a frame, throws <see cref="InvalidDataException"/> from a read.
    /// </summary>
    public static Stream Decompress(Stream source, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new CheckedDecompression(new DecompressionStream(source, leaveOpen: leaveOpen));
    }

    /// <summary>Reads through ZstdSharp's stream, turning its errors for bad data into <see cref="InvalidDataException"/>.</summary>
    private sealed class CheckedDecompression(DecompressionStream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (Exception e) when (e is ZstdException or EndOfStreamException)
            {
                throw Invalid(e);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is ZstdException or EndOfStreamException)
            {
                throw Invalid(e);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private static InvalidDataException Invalid(Exception e) => e is EndOfStreamException
            ? new InvalidDataException("The zstd data ends in the middle of a frame: the archive is truncated.", e)
            : new InvalidDataException($"The data is not a valid zstd stream ({e.Message}).", e);
    }
}
