using Porthole.Server.Data;

namespace Porthole.Server.Pipelines;

/// <summary>
/// Serializes the changes of pipeline, job and node states, so that a lease, a completion and a cancel never interleave
/// half-way: in this process (SQLite has one writer anyway), and on PostgreSQL across every server on the database too
/// (an advisory lock, <see cref="ServerDatabase.LockAcrossServersAsync"/>).
/// </summary>
public sealed class StateLock(ServerDatabase database)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return new Releaser(_gate, await database.LockAcrossServersAsync(ct));
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    private sealed class Releaser(SemaphoreSlim gate, IDisposable? across) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                across?.Dispose();
                gate.Release();
            }
        }
    }
}
