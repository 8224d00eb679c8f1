using Porthole.Execution.Executors;
using Porthole.Execution.Logging;

namespace Porthole.Execution.Steps;

/// <summary>A step's no_output_timeout on the injected clock: <see cref="Expired"/> completes when no output came for that long.</summary>
internal sealed class NoOutputWatch : IStepOutput, IDisposable
{
    private readonly MaskingLogWriter _writer;
    private readonly TimeSpan _timeout;
    private readonly ITimer? _timer;
    private readonly TaskCompletionSource _expired = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NoOutputWatch(MaskingLogWriter writer, TimeProvider timeProvider, TimeSpan timeout)
    {
        _writer = writer;
        _timeout = timeout;
        if (timeout > TimeSpan.Zero && timeout < StopSignals.LongestTimer)
        {
            _timer = timeProvider.CreateTimer(_ => _expired.TrySetResult(), null, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    public Task Expired => _expired.Task;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        _timer?.Change(_timeout, Timeout.InfiniteTimeSpan);
        return _writer.WriteAsync(chunk, cancellationToken);
    }

    public void Dispose() => _timer?.Dispose();
}
