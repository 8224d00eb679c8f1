using System.Security.Cryptography;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// Moves a blob between the runner's spool and the server by the protocol's offsets: an upload goes on from what the
/// server says it stored (a retried chunk is not stored twice, a lost one is sent again); a download goes on from the
/// bytes already in the spool file, and the whole file must hash to its digest before anything reads it.
/// </summary>
internal sealed class BlobTransfer(IRunnerProtocol server, long nodeId, TimeProvider time)
{
    /// <summary>How much one upload call carries; a failed call costs at most this much again.</summary>
    internal const long ChunkBytes = 32L * 1024 * 1024;

    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)];

    /// <exception cref="StepFailedException">The server refused the blob (its reason), or did not answer after retries.</exception>
    public Task UploadAsync(SpoolFile file, string digest, long size, CancellationToken cancellationToken) =>
        UploadAsync(file.OpenRead, digest, size, cancellationToken);

    /// <summary>Uploads what <paramref name="openAt"/> reads from an offset (a file of the runner's, finished and kept until this returns).</summary>
    /// <exception cref="StepFailedException">The server refused the blob (its reason), or did not answer after retries.</exception>
    public async Task UploadAsync(Func<long, FileStream> openAt, string digest, long size, CancellationToken cancellationToken)
    {
        long offset = 0;
        var failures = 0;
        while (true)
        {
            BlobUploadResult result;
            try
            {
                await using var stream = openAt(offset);
                var length = Math.Min(ChunkBytes, size - offset);
                await using var chunk = new ReadWindow(stream, length);
                result = await server.UploadBlobAsync(nodeId, digest, size, offset, chunk, cancellationToken);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException && failures < Backoff.Length)
            {
                await Task.Delay(Backoff[failures++], time, cancellationToken);
                continue;
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException)
            {
                throw new StepFailedException($"The upload to the server failed: {e.Message}");
            }

            switch (result.Outcome)
            {
                case BlobUploadOutcome.Complete:
                    return;
                case BlobUploadOutcome.Refused:
                    throw new StepFailedException($"The server refused the upload: {result.Problem}");
                case BlobUploadOutcome.Partial or BlobUploadOutcome.Gap when result.StoredLength <= size:
                    if (result.StoredLength <= offset && result.Outcome == BlobUploadOutcome.Partial && ++failures > Backoff.Length)
                    {
                        throw new StepFailedException("The upload to the server made no progress.");
                    }

                    offset = result.StoredLength;
                    break;
                default:
                    throw new StepFailedException($"The server stored {result.StoredLength} bytes of a {size}-byte upload.");
            }
        }
    }

    /// <summary>Downloads a blob into <paramref name="file"/> (a new spool file) and checks its digest.</summary>
    /// <exception cref="StepFailedException">The blob is gone, did not arrive after retries, or does not match its digest.</exception>
    public async Task DownloadAsync(string digest, long size, SpoolFile file, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var output = new FileStream(file.Path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            BufferSize = 0,
        });
        long offset = 0;
        var failures = 0;
        var buffer = new byte[1 << 20];
        while (offset < size)
        {
            try
            {
                var download = await server.DownloadBlobAsync(nodeId, digest, offset, cancellationToken)
                    ?? throw new StepFailedException("The server no longer has this archive (it expired, or was replaced).");
                await using var content = download.Content;
                int read;
                while (offset < size && (read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - offset)), cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    offset += read;
                }

                if (offset < size && ++failures > Backoff.Length)
                {
                    throw new StepFailedException($"The download ended after {offset} of {size} bytes.");
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException && failures < Backoff.Length)
            {
                await Task.Delay(Backoff[failures++], time, cancellationToken);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException)
            {
                throw new StepFailedException($"The download from the server failed: {e.Message}");
            }
        }

        if (Convert.ToHexStringLower(hash.GetHashAndReset()) != digest)
        {
            throw new StepFailedException("The archive that arrived does not match its digest; nothing of it was used.");
        }
    }

    /// <summary>At most <c>length</c> bytes of a stream, from where it stands.</summary>
    private sealed class ReadWindow : Stream
    {
        private readonly Stream _inner;
        private readonly long _window;
        private long _left;

        public ReadWindow(Stream inner, long window)
        {
            _inner = inner;
            _window = window;
            _left = window;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _window;

        public override long Position
        {
            get => _window - _left;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_left <= 0)
            {
                return 0;
            }

            var read = _inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left <= 0)
            {
                return 0;
            }

            var read = await _inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken);
            _left -= read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
