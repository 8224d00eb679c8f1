using Porthole.Server.Cluster;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Runners;

/// <summary>
/// Wakes runners waiting in a long-poll lease when nodes become queued, so pick-up takes no polling delay: those of this
/// server, and those of the other servers on the database through <see cref="SignalOutbox"/>; once the state change that
/// queued them is committed (<see cref="StateLock.AfterRelease"/>), since a lease claims nodes without that lock.
/// </summary>
public sealed class WorkSignal(SignalOutbox? outbox = null, StateLock? stateLock = null)
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct) =>
        Volatile.Read(ref _next).Task.WaitAsync(timeout, time, ct);

    public void Pulse()
    {
        if (stateLock is null)
        {
            PulseNow();
        }
        else
        {
            stateLock.AfterRelease(PulseNow);
        }
    }

    /// <summary>Wakes the runners waiting on this server only: for a wake-up another server sent.</summary>
    public void PulseHere() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private void PulseNow()
    {
        PulseHere();
        outbox?.WorkQueued();
    }
}
