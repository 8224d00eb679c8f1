using System.Text;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.Logging;

/// <summary>
/// A node's channel to its <see cref="INodeReporter"/>: the log bytes (only through a <see cref="MaskingLogWriter"/>)
/// and the step reports, one call at a time. It counts the offset, applies the size cap, and turns a reporter
/// failure into <see cref="Faulted"/> so the node can stop instead of running on without a log.
/// </summary>
internal sealed class NodeLog
{
    private readonly INodeReporter _reporter;
    private readonly SecretMasker _masker;
    private readonly long _capBytes;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _faulted = new();
    private long _offset;
    private byte _lastByte = (byte)'\n';
    private bool _truncated;
    private bool _closed;

    /// <param name="capBytes">The most bytes of output kept; zero or less for no cap.</param>
    public NodeLog(INodeReporter reporter, SecretMasker masker, long capBytes)
    {
        _reporter = reporter;
        _masker = masker;
        _capBytes = capBytes;
        Runner = CreateWriter();
    }

    /// <summary>The runner's own lines: step headers, exit codes, notices.</summary>
    public MaskingLogWriter Runner { get; }

    /// <summary>The bytes handed to the reporter so far.</summary>
    public long Offset => Volatile.Read(ref _offset);

    public Exception? Fault { get; private set; }

    public CancellationToken Faulted => _faulted.Token;

    public MaskingLogWriter CreateWriter() => new(this, _masker);

    /// <summary>The job's secrets, for text that leaves the node other than by the log (test results).</summary>
    public SecretMasker Masker => _masker;

    public async ValueTask ReportStepAsync(StepReport report)
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (_closed)
            {
                return;
            }

            await _reporter.StepChangedAsync(report, CancellationToken.None);
        }
        catch (Exception e)
        {
            SetFault(e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the node's log: nothing reaches the reporter after this returns.</summary>
    public void Close()
    {
        _gate.Wait();
        _closed = true;
        _gate.Release();
    }

    /// <summary>Only <see cref="MaskingLogWriter"/> calls this, with bytes it has masked.</summary>
    internal async ValueTask CommitAsync(ReadOnlyMemory<byte> bytes)
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (_truncated || _closed || Fault is not null)
            {
                return;
            }

            if (_capBytes > 0 && _offset + bytes.Length > _capBytes)
            {
                var room = (int)(_capBytes - _offset);
                if (room > 0)
                {
                    await SendAsync(bytes[..room]);
                }

                await SendAsync(TruncationNotice());
                _truncated = true;
                return;
            }

            await SendAsync(bytes);
        }
        catch (Exception e)
        {
            SetFault(e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        await _reporter.WriteLogAsync(bytes, CancellationToken.None);
        _lastByte = bytes.Span[^1];
        Volatile.Write(ref _offset, _offset + bytes.Length);
    }

    private byte[] TruncationNotice() =>
        Encoding.UTF8.GetBytes(
            (_lastByte == '\n' ? string.Empty : "\n")
            + LogLines.Truncated(_capBytes));

    private void SetFault(Exception e)
    {
        if (Fault is null)
        {
            Fault = e;
            _faulted.Cancel();
        }
    }
}
