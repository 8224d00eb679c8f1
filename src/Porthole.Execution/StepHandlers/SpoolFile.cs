using System.Security.Cryptography;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// An archive on its way up or down, in the runner's spool folder (out of every node's reach): written once while its
/// SHA-256 and length are counted, read back for the upload or the extraction, deleted when disposed.
/// </summary>
internal sealed class SpoolFile : IDisposable
{
    private SpoolFile(string path) => Path = path;

    public string Path { get; }

    public static SpoolFile Create(string spoolDirectory, string purpose)
    {
        var folder = System.IO.Path.Combine(spoolDirectory, "blobs");
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new SpoolFile(System.IO.Path.Combine(folder, $"{purpose}-{Guid.NewGuid():N}"));
    }

    /// <summary>A new file to write (0600), through a stream that counts and hashes what goes in.</summary>
    public HashingStream OpenWrite(long limit = long.MaxValue) =>
        new(new FileStream(Path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            BufferSize = 1 << 20,
            Options = FileOptions.SequentialScan,
        }), limit);

    public FileStream OpenRead(long offset = 0)
    {
        var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        stream.Seek(offset, SeekOrigin.Begin);
        return stream;
    }

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // The spool is the runner's own; a file that cannot go now goes with the next runner start.
        }
    }
}

/// <summary>A write-only stream to a file that counts and SHA-256-hashes what passes, and refuses to grow past a limit.</summary>
internal sealed class HashingStream(FileStream file, long limit) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>Lowercase hex of the SHA-256 of everything written; call once, after the last write.</summary>
    public string Digest() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Count(buffer.Length);
        _hash.AppendData(buffer);
        file.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Count(buffer.Length);
        _hash.AppendData(buffer.Span);
        await file.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => file.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => file.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await file.DisposeAsync();
        _hash.Dispose();
        await base.DisposeAsync();
    }

    private void Count(int bytes)
    {
        _length += bytes;
        if (_length > limit)
        {
            throw new ArchiveTooLargeException(limit);
        }
    }
}

/// <summary>An archive grew past what it may take (the project's cache cap).</summary>
internal sealed class ArchiveTooLargeException(long limit) : IOException($"the archive passed {limit} bytes")
{
    public long Limit { get; } = limit;
}
