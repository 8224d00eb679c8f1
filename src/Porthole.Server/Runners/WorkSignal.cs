namespace Porthole.Server.Runners;

/// <summary>Wakes runners waiting in a long-poll lease when nodes become queued, so pick-up takes no polling delay.</summary>
public sealed class WorkSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct) =>
        Volatile.Read(ref _next).Task.WaitAsync(timeout, time, ct);

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
