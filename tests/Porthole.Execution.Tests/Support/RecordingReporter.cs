using System.Text;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.Tests.Support;

/// <summary>Keeps everything a node reports, checks the reporter's contract as it goes, and lets a test wait for a line.</summary>
internal sealed class RecordingReporter : INodeReporter
{
    private readonly Lock _gate = new();
    private readonly MemoryStream _log = new();
    private readonly List<StepReport> _reports = [];
    private readonly List<int> _chunkSizes = [];
    private int _callsInFlight;

    /// <summary>When set, only the byte count is kept (for throughput tests).</summary>
    public bool CountOnly { get; init; }

    public long BytesWritten { get; private set; }

    public long LogWrites { get; private set; }

    public bool Overlapped { get; private set; }

    public byte[] LogBytes
    {
        get
        {
            lock (_gate)
            {
                return _log.ToArray();
            }
        }
    }

    public string Log => Encoding.UTF8.GetString(LogBytes);

    public IReadOnlyList<StepReport> Reports
    {
        get
        {
            lock (_gate)
            {
                return [.. _reports];
            }
        }
    }

    public IReadOnlyList<int> ChunkSizes
    {
        get
        {
            lock (_gate)
            {
                return [.. _chunkSizes];
            }
        }
    }

    /// <summary>The last report of each step, by index.</summary>
    public StepReport Final(int index) => Reports.Last(r => r.Index == index);

    public string StepLog(int index)
    {
        var report = Final(index);
        var bytes = LogBytes;
        return Encoding.UTF8.GetString(bytes, (int)report.LogStart, (int)(report.LogEnd!.Value - report.LogStart));
    }

    public ValueTask WriteLogAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        Enter();
        try
        {
            lock (_gate)
            {
                BytesWritten += bytes.Length;
                LogWrites++;
                if (!CountOnly)
                {
                    _log.Write(bytes.Span);
                    _chunkSizes.Add(bytes.Length);
                }
            }
        }
        finally
        {
            Exit();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask StepChangedAsync(StepReport report, CancellationToken ct)
    {
        Enter();
        try
        {
            lock (_gate)
            {
                _reports.Add(report);
            }
        }
        finally
        {
            Exit();
        }

        return ValueTask.CompletedTask;
    }

    public Task WaitForLogAsync(string text, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Log.Contains(text, StringComparison.Ordinal), $"the log to contain '{text}'", timeout);

    public Task WaitForStateAsync(int index, StepState state, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Reports.Any(r => r.Index == index && r.State == state), $"step {index} to be {state}", timeout);

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(deadline) > limit)
            {
                throw new TimeoutException($"Waited {limit} for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
    }

    private void Enter()
    {
        if (Interlocked.Increment(ref _callsInFlight) > 1)
        {
            Overlapped = true;
        }
    }

    private void Exit() => Interlocked.Decrement(ref _callsInFlight);
}
