using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Runners;

namespace Porthole.Server.Logs;

/// <summary>
/// Each node's log is one append-only file under <c>DATA/logs</c>, addressed by byte offset: an append of bytes
/// already stored is a no-op, an append past the end (a gap) is refused. Readers waiting for more are woken on every append.
/// </summary>
public sealed class LogStore(IOptions<PortholeOptions> options, Monitoring.PortholeMetrics? metrics = null)
{
    private readonly ConcurrentDictionary<long, NodeLog> _logs = new();

    public async Task<LogAppendResult> AppendAsync(long nodeId, long offset, ReadOnlyMemory<byte> chunk, CancellationToken ct)
    {
        var log = Get(nodeId);
        await log.Gate.WaitAsync(ct);
        try
        {
            var length = log.Length;
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

            log.Length = length + chunk.Length - skip;
            metrics?.LogBytesStored(chunk.Length - skip);
            log.Pulse();
            return new LogAppendResult(LogAppendOutcome.Appended, log.Length);
        }
        finally
        {
            log.Gate.Release();
        }
    }

    public long Length(long nodeId) => Get(nodeId).Length;

    /// <summary>Reads up to <paramref name="max"/> bytes from <paramref name="offset"/>.</summary>
    public async Task<byte[]> ReadAsync(long nodeId, long offset, int max, CancellationToken ct)
    {
        var log = Get(nodeId);
        var length = log.Length;
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

    /// <summary>A task that completes at the next append to the node's log.</summary>
    public Task NextAppend(long nodeId) => Get(nodeId).NextAppend;

    public void Wake(long nodeId) => Get(nodeId).Pulse();

    private NodeLog Get(long nodeId) => _logs.GetOrAdd(nodeId, id =>
    {
        var directory = options.Value.LogDirectory;
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{id}.log");
        return new NodeLog(path, File.Exists(path) ? new FileInfo(path).Length : 0);
    });

    private sealed class NodeLog(string path, long length)
    {
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Path { get; } = path;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public long Length { get; set; } = length;

        public Task NextAppend => Volatile.Read(ref _next).Task;

        public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
