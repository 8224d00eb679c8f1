using Microsoft.Extensions.Logging;
using Porthole.Contracts.Runners;
using Porthole.Execution;

namespace Porthole.Runner;

/// <summary>
/// A node's log on its way to the server: every byte is appended to a local spool file first, then sent by
/// byte offset every flush interval. The server ignores bytes it already has and refuses gaps, so a retry
/// after any failure resumes from what the server says it stored: nothing is lost or repeated.
/// Step reports are queued and sent by the same loop, right after the bytes they point at, so a step never
/// waits for the server.
/// </summary>
public sealed partial class LogSpool : INodeReporter, IAsyncDisposable
{
    private const int MaxChunk = 1024 * 1024;

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

    public LogSpool(long nodeId, string spoolDirectory, IRunnerProtocol server, TimeSpan flushInterval, TimeProvider time, ILogger logger)
    {
        _nodeId = nodeId;
        _server = server;
        _time = time;
        _logger = logger;
        Directory.CreateDirectory(spoolDirectory);
        _path = Path.Combine(spoolDirectory, $"{nodeId}.log");
        _writer = new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 64 * 1024);
        _sender = SendLoopAsync(flushInterval, _stop.Token);
    }

    public async ValueTask WriteLogAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await _writeGate.WaitAsync(CancellationToken.None);
        try
        {
            await _writer.WriteAsync(bytes, CancellationToken.None);
            _written += bytes.Length;
        }
        finally
        {
            _writeGate.Release();
        }
    }

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
                await _writer.FlushAsync(ct);
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
            reader.Position = _sent;
            var count = (int)Math.Min(buffer.Length, written - _sent);
            await reader.ReadExactlyAsync(buffer.AsMemory(0, count), ct);
            var result = await _server.AppendLogAsync(_nodeId, _sent, buffer.AsMemory(0, count), ct);

            // Appended and AlreadyStored leave the server's length at or past our end; a gap tells us where it stopped.
            Interlocked.Exchange(ref _sent, Math.Min(result.StoredLength, written));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending the log of node {NodeId} failed, will retry: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, long nodeId, string reason);
}
