namespace Porthole.Server.JobData;

/// <summary>
/// Mutual exclusion per name (a digest, a node's upload, a project) among a fixed number of gates: two names may share a
/// gate and then wait for each other, which is harmless, and no gate is ever made or dropped per name.
/// </summary>
public sealed class StripedLock
{
    private readonly SemaphoreSlim[] _gates = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<IDisposable> EnterAsync(string name, CancellationToken ct)
    {
        var gate = _gates[(int)((uint)StringComparer.Ordinal.GetHashCode(name) % (uint)_gates.Length)];
        await gate.WaitAsync(ct);
        return new Releaser(gate);
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
