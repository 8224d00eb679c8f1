using Microsoft.Extensions.Logging;
using Porthole.Contracts.Runners;
using Porthole.Execution;

namespace Porthole.Runner;

/// <summary>
/// A node's log on its way to the server: every byte is appended to a local spool file first, then sent by
/// byte offset every flush interval. The server ignores bytes it already has and refuses gaps, so a retry
/// after any failure resumes from what the server says it stored: nothing is lost or repeated.
/// Step reports are queued and sent by the same loop, right after the bytes they point at, so a step never
/// waits for the server. When the runner's disk is full, the rest of the log is kept in memory (up to
/// <see cref="MaxInMemory"/>) and the log says so: a job that fills the disk still shows why it failed.
/// </summary>
public sealed partial class LogSpool : INodeReporter, IAsyncDisposable
{
    private const int MaxChunk = 1024 * 1024;

    /// <summary>How much of the log is kept in memory once the disk is full; past it, bytes are dropped, once said.</summary>
    public const int MaxInMemory = 8 * 1024 * 1024;

    private readonly long _nodeId;
    private readonly IRunnerProtocol _server;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _path;
    private readonly FileStream _writer;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly System.Collections.Concurrent.ConcurrentQueue<StepReport> _reports = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private long _written;
    private long _sent;

    // Once the disk is full: the bytes from _onDisk on are in _inMemory, and nothing more goes to the file.
    private long _onDisk = -1;
    private MemoryStream? _inMemory;
    private bool _dropping;

    public LogSpool(long nodeId, string spoolDirectory, IRunnerProtocol server, TimeSpan flushInterval, TimeProvider time, ILogger logger)
    {
        _nodeId = nodeId;
        _server = server;
        _time = time;
        _logger = logger;
        Directory.CreateDirectory(spoolDirectory);
        _path = Path.Combine(spoolDirectory, $"{nodeId}.log");
        // Unbuffered: a full disk fails the write that meets it, so the bytes it did not store are known.
        _writer = new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1);
        _sender = SendLoopAsync(flushInterval, _stop.Token);
    }

    public async ValueTask WriteLogAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await _writeGate.WaitAsync(CancellationToken.None);
        try
        {
            if (_inMemory is null)
            {
                try
                {
                    await _writer.WriteAsync(bytes, CancellationToken.None);
                    _written += bytes.Length;
                    return;
                }
                catch (IOException e) when (DiskFull(e))
                {
                    // What the file holds is what the write stored; the rest of this chunk, and every later one, stays here.
                    _onDisk = new FileInfo(_path).Length;
                    var stored = (int)(_onDisk - _written);
                    _written = _onDisk;
                    _inMemory = new MemoryStream();
                    LogDiskFull(_logger, _nodeId);
                    Keep("\r\n\u001b[33mPorthole: the runner's disk is full (No space left on device): the rest of this log is kept in memory until it is sent.\u001b[0m\r\n"u8);
                    Keep(bytes.Span[stored..]);
                    return;
                }
            }

            Keep(bytes.Span);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Adds to the in-memory tail (the write gate held): up to <see cref="MaxInMemory"/>, then a notice, then nothing.</summary>
    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_dropping || bytes.IsEmpty)
        {
            return;
        }

        if (_inMemory!.Length + bytes.Length > MaxInMemory)
        {
            _dropping = true;
            bytes = "\r\n\u001b[33mPorthole: the runner's disk is full and this log passed what it keeps in memory; the rest of it is lost.\u001b[0m\r\n"u8;
        }

        _inMemory.Write(bytes);
        _written += bytes.Length;
    }

    private static bool DiskFull(IOException e) => e.HResult is 28 or 122 || e.Message.Contains("No space left", StringComparison.Ordinal);

    public ValueTask StepChangedAsync(StepReport report, CancellationToken ct)
    {
        _reports.Enqueue(report);
        _wake.Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends everything spooled so far; retries until the server has it all or <paramref name="ct"/> ends.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await SendAsync(ct);
                if (Interlocked.Read(ref _sent) >= Interlocked.Read(ref _written) && _reports.IsEmpty)
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSendFailed(_logger, _nodeId, e.Message);
            }

            await Task.Delay(delay, _time, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _sender;
        }
        catch (OperationCanceledException)
        {
        }

        await _writer.DisposeAsync();
        if (Interlocked.Read(ref _sent) >= _written)
        {
            File.Delete(_path);
        }

        _stop.Dispose();
        _inMemory?.Dispose();
        _writeGate.Dispose();
        _sendGate.Dispose();
        _wake.Dispose();
    }

    private async Task SendLoopAsync(TimeSpan interval, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // Wake at the flush interval, or at once when a step starts or ends.
            await _wake.WaitAsync(interval, ct);
            try
            {
                await SendAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSendFailed(_logger, _nodeId, e.Message);
            }
        }
    }

    private async Task SendAsync(CancellationToken ct)
    {
        await _sendGate.WaitAsync(ct);
        try
        {
            long written;
            await _writeGate.WaitAsync(ct);
            try
            {
                written = _written;
            }
            finally
            {
                _writeGate.Release();
            }

            if (_sent < written)
            {
                await SendBytesAsync(written, ct);
            }

            while (_reports.TryPeek(out var report))
            {
                await _server.ReportStepAsync(_nodeId, report, ct);
                _reports.TryDequeue(out _);
            }
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private async Task SendBytesAsync(long written, CancellationToken ct)
    {
        await using var reader = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        var buffer = new byte[(int)Math.Min(MaxChunk, written - _sent)];
        while (_sent < written)
        {
            var count = await ReadSpooledAsync(reader, _sent, buffer.AsMemory(0, (int)Math.Min(buffer.Length, written - _sent)), ct);
            var result = await _server.AppendLogAsync(_nodeId, _sent, buffer.AsMemory(0, count), ct);

            // Appended and AlreadyStored leave the server's length at or past our end; a gap tells us where it stopped.
            Interlocked.Exchange(ref _sent, Math.Min(result.StoredLength, written));
        }
    }

    /// <summary>Fills <paramref name="into"/> from <paramref name="from"/>, from the file or (past what it holds) memory; how many bytes.</summary>
    private async Task<int> ReadSpooledAsync(FileStream file, long from, Memory<byte> into, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            var onDisk = _inMemory is null ? long.MaxValue : _onDisk;
            if (from < onDisk)
            {
                var count = (int)Math.Min(into.Length, onDisk - from);
                file.Position = from;
                await file.ReadExactlyAsync(into[..count], ct);
                return count;
            }

            var memory = _inMemory!.GetBuffer().AsMemory((int)(from - onDisk), (int)Math.Min(into.Length, _inMemory.Length - (from - onDisk)));
            memory.CopyTo(into);
            return memory.Length;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The disk is full: the rest of node {NodeId}'s log is kept in memory until it is sent")]
    private static partial void LogDiskFull(ILogger logger, long nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending the log of node {NodeId} failed, will retry: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, long nodeId, string reason);
}
