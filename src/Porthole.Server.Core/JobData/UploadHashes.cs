using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Porthole.Server.JobData;

/// <summary>The SHA-256 of an upload's bytes so far, fed as they are appended.</summary>
public sealed class RunningHash : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>How many bytes were fed.</summary>
    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        _hash.AppendData(bytes);
        Length += bytes.Length;
    }

    /// <summary>The digest of every byte fed, as lowercase hex.</summary>
    public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();
}

/// <summary>
/// The running hash of each upload under way, so that a finished upload is checked without reading it all again. Kept in
/// memory only: after a restart, or when the partial file and the hash disagree, the hash is made again from the file's
/// bytes. Callers hold the upload's lock.
/// </summary>
public sealed class UploadHashes(BlobFiles files)
{
    private readonly ConcurrentDictionary<(long NodeId, string Digest), RunningHash> _running = new();

    /// <summary>The hash of the partial file's first <paramref name="stored"/> bytes.</summary>
    public async Task<RunningHash> ForAsync(long nodeId, string digest, long stored, CancellationToken ct)
    {
        if (_running.TryGetValue((nodeId, digest), out var running) && running.Length == stored)
        {
            return running;
        }

        Drop(nodeId, digest);
        running = new RunningHash();
        try
        {
            await files.HashPartialAsync(nodeId, digest, stored, running, ct);
        }
        catch
        {
            running.Dispose();
            throw;
        }

        _running[(nodeId, digest)] = running;
        return running;
    }

    public void Drop(long nodeId, string digest)
    {
        if (_running.TryRemove((nodeId, digest), out var running))
        {
            running.Dispose();
        }
    }

    /// <summary>The uploads with a hash in memory, for the sweeper to drop those whose partial file is gone.</summary>
    public IReadOnlyList<(long NodeId, string Digest)> Uploads => [.. _running.Keys];
}
