using System.IO.Pipelines;
using Porthole.Execution.Executors;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// A node command's output as a stream to read (a <c>tar -c</c> on the node, read by the runner): each chunk waits
/// until the reader has room for it, so a slow reader slows the command down instead of filling memory.
/// </summary>
internal sealed class StdoutStream : IStepOutput, IAsyncDisposable
{
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 4 * 1024 * 1024, resumeWriterThreshold: 2 * 1024 * 1024, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false));
    private bool _completed;

    /// <summary>What the command writes; ends once <see cref="Complete"/> is called.</summary>
    public Stream Reader => _pipe.Reader.AsStream(leaveOpen: true);

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return;
        }

        var result = await _pipe.Writer.WriteAsync(chunk, cancellationToken);
        if (result.IsCompleted)
        {
            // The reader stopped reading (it refused the archive): drop the rest so the command can end.
            _completed = true;
        }
    }

    /// <summary>The command has exited and its output has been handed over: the reader sees the end.</summary>
    public void Complete()
    {
        _completed = true;
        _pipe.Writer.Complete();
    }

    /// <summary>The reader gives up: the writer drops what comes after.</summary>
    public void StopReading() => _pipe.Reader.Complete();

    public async ValueTask DisposeAsync()
    {
        await _pipe.Writer.CompleteAsync();
        await _pipe.Reader.CompleteAsync();
    }
}
