namespace Porthole.Execution.Steps;

/// <summary>
/// The three things that stop a node's steps — a cancel, the job's time cap (on the injected clock), a log that
/// can no longer be delivered — as one token, one task, and the reason that came first.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    /// <summary>Timers cannot wait longer than this; a longer cap means no cap.</summary>
    internal static readonly TimeSpan LongestTimer = TimeSpan.FromDays(49);

    private readonly CancellationToken _canceled;
    private readonly CancellationToken _logFailed;
    private readonly CancellationTokenSource? _jobTimeCap;
    private readonly CancellationTokenSource _any;
    private readonly CancellationTokenSource _sections;
    private readonly CancellationTokenRegistration _registration;
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private StopReason _reason;

    public StopSignals(CancellationToken canceled, TimeSpan jobTimeCap, TimeProvider timeProvider, CancellationToken logFailed)
    {
        _canceled = canceled;
        _logFailed = logFailed;
        JobTimeCap = jobTimeCap;
        if (jobTimeCap > TimeSpan.Zero && jobTimeCap < LongestTimer)
        {
            _jobTimeCap = new CancellationTokenSource(jobTimeCap, timeProvider);
        }

        _any = _jobTimeCap is null
            ? CancellationTokenSource.CreateLinkedTokenSource(canceled, logFailed)
            : CancellationTokenSource.CreateLinkedTokenSource(canceled, logFailed, _jobTimeCap.Token);
        _registration = _any.Token.Register(() => _stopping.TrySetResult());
        _sections = CancellationTokenSource.CreateLinkedTokenSource(canceled, logFailed);
    }

    /// <summary>What ends a node's section: a cancel or a log that can no longer be delivered, not the job time cap (it is for steps).</summary>
    public CancellationToken SectionStop => _sections.Token;

    /// <summary>Whether the job was canceled (by its owner, not by the time cap).</summary>
    public bool IsCanceled => _canceled.IsCancellationRequested;

    public TimeSpan JobTimeCap { get; }

    public bool IsStopping => _any.IsCancellationRequested;

    /// <summary>Canceled when the steps must stop (a cancel, the job's time cap, a log that can no longer be delivered).</summary>
    public CancellationToken Stopping => _any.Token;

    public Task WhenStopping => _stopping.Task;

    /// <summary>The reason, fixed the first time it is asked for once stopping (a cancel after the cap does not change it).</summary>
    public StopReason Reason
    {
        get
        {
            lock (_gate)
            {
                if (_reason == StopReason.None && IsStopping)
                {
                    _reason = _canceled.IsCancellationRequested ? StopReason.Canceled
                        : _jobTimeCap?.IsCancellationRequested == true ? StopReason.JobTimeCap
                        : _logFailed.IsCancellationRequested ? StopReason.LogFailed
                        : StopReason.Canceled;
                }

                return _reason;
            }
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        _any.Dispose();
        _sections.Dispose();
        _jobTimeCap?.Dispose();
    }
}
