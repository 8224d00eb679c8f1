using Porthole.Server.Data;

namespace Porthole.Server.Pipelines;

/// <summary>
/// Serializes the changes of pipeline, job and node states, so that a completion, a cancel and the rest of a lease never
/// interleave half-way: in this process (SQLite has one writer anyway), and on PostgreSQL across every server on the
/// database too (an advisory lock, <see cref="ServerDatabase.LockAcrossServersAsync"/>).
/// </summary>
/// <remarks>
/// What must not be seen before a change is committed waits for the lock's release (<see cref="AfterRelease"/>): a
/// runner woken to lease the nodes a change queues claims them without this lock, and must find them committed.
/// </remarks>
public sealed class StateLock(ServerDatabase database)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _sync = new();
    private List<Action> _afterRelease = [];
    private bool _held;

    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var across = await database.LockAcrossServersAsync(ct);
            lock (_sync)
            {
                _held = true;
            }

            return new Releaser(this, across);
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    /// <summary>Runs <paramref name="action"/> once the lock is released, or now when nobody in this process holds it.</summary>
    public void AfterRelease(Action action)
    {
        lock (_sync)
        {
            if (_held)
            {
                _afterRelease.Add(action);
                return;
            }
        }

        action();
    }

    private void Release(IDisposable? across)
    {
        across?.Dispose();
        List<Action> due;
        lock (_sync)
        {
            _held = false;
            due = _afterRelease;
            _afterRelease = [];
        }

        _gate.Release();
        due.ForEach(action => action());
    }

    private sealed class Releaser(StateLock owner, IDisposable? across) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(across);
            }
        }
    }
}
