namespace Porthole.Server.Pipelines;

/// <summary>
/// Serializes the changes of pipeline, job and node states in this process, so that a lease, a completion
/// and a cancel never interleave half-way (SQLite has one writer anyway).
/// </summary>
public sealed class StateLock
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        return new Releaser(_gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
