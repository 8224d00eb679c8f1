using Porthole.Execution.Executors;

namespace Porthole.Execution.Shell;

/// <summary>Lets two pumps share one output without overlapping calls; each chunk stays whole.</summary>
internal sealed class SerializedOutput(IStepOutput inner) : IStepOutput
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await inner.WriteAsync(chunk, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
