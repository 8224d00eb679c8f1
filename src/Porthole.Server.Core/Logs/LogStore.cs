using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Runners;
using Porthole.Server.Cluster;
using Porthole.Server.Data;

namespace Porthole.Server.Logs;

/// <summary>
/// Each node's log is one append-only file under <c>DATA/logs</c>, addressed by byte offset: an append of bytes
/// already stored is a no-op, an append past the end (a gap) is refused. Readers waiting for more are woken on every
/// append, on this server and (through <see cref="SignalOutbox"/>) on the others.
/// </summary>
/// <remarks>
/// Servers that share a PostgreSQL database share the data folder too (decision 19), so the file's length is read from
/// the file each time, never remembered, and an append holds the node's lock across servers
/// (<see cref="ServerDatabase.LockNodeLogAsync"/>): a runner's retry that reaches another server while the first still
/// writes can neither double nor lose a byte.
/// </remarks>
public sealed class LogStore(
    IOptions<PortholeOptions> options,
    ServerDatabase? database = null,
    SignalOutbox? outbox = null,
    Monitoring.PortholeMetrics? metrics = null)
{
    private readonly ConcurrentDictionary<long, NodeLog> _logs = new();

    public async Task<LogAppendResult> AppendAsync(long nodeId, long offset, ReadOnlyMemory<byte> chunk, CancellationToken ct)
    {
        var log = Get(nodeId);
        await log.Gate.WaitAsync(ct);
        try
        {
            using var across = database is null ? null : await database.LockNodeLogAsync(nodeId, ct);
            var length = LengthOf(log.Path);
            if (offset > length)
            {
                return new LogAppendResult(LogAppendOutcome.Gap, length);
            }

            var skip = length - offset;
            if (skip >= chunk.Length)
            {
                return new LogAppendResult(LogAppendOutcome.AlreadyStored, length);
            }

            await using (var stream = new FileStream(log.Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None))
            {
                await stream.WriteAsync(chunk[(int)skip..], ct);
            }

            metrics?.LogBytesStored(chunk.Length - skip);
            Wake(nodeId);
            return new LogAppendResult(LogAppendOutcome.Appended, length + chunk.Length - skip);
        }
        finally
        {
            log.Gate.Release();
        }
    }

    public long Length(long nodeId) => LengthOf(Get(nodeId).Path);

    /// <summary>Reads up to <paramref name="max"/> bytes from <paramref name="offset"/>.</summary>
    public async Task<byte[]> ReadAsync(long nodeId, long offset, int max, CancellationToken ct)
    {
        var log = Get(nodeId);
        var length = LengthOf(log.Path);
        if (offset >= length)
        {
            return [];
        }

        var count = (int)Math.Min(max, length - offset);
        var buffer = new byte[count];
        await using var stream = new FileStream(log.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        stream.Position = offset;
        await stream.ReadExactlyAsync(buffer, ct);
        return buffer;
    }

    /// <summary>A task that completes at the next append to the node's log (or the node's end), on any server.</summary>
    public Task NextAppend(long nodeId) => Get(nodeId).NextAppend;

    /// <summary>Wakes the readers of a node's log, here and on the other servers: it grew, or its node ended.</summary>
    public void Wake(long nodeId)
    {
        WakeHere(nodeId);
        outbox?.LogChanged(nodeId);
    }

    /// <summary>Wakes the readers on this server only: for a wake-up another server sent.</summary>
    public void WakeHere(long nodeId)
    {
        if (_logs.TryGetValue(nodeId, out var log))
        {
            log.Pulse();
        }
    }

    /// <summary>Wakes every reader on this server: after wake-ups may have been missed (the database was away).</summary>
    public void WakeAllHere()
    {
        foreach (var log in _logs.Values)
        {
            log.Pulse();
        }
    }

    private static long LengthOf(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : 0;
    }

    private NodeLog Get(long nodeId) => _logs.GetOrAdd(nodeId, id =>
    {
        var directory = options.Value.LogDirectory;
        Directory.CreateDirectory(directory);
        return new NodeLog(Path.Combine(directory, $"{id}.log"));
    });

    private sealed class NodeLog(string path)
    {
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Path { get; } = path;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public Task NextAppend => Volatile.Read(ref _next).Task;

        public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
