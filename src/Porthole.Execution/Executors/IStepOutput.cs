namespace Porthole.Execution.Executors;

/// <summary>Receives a process's output as raw chunks, in order, one call at a time. The memory is only valid during the call.</summary>
public interface IStepOutput
{
    ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken);
}
