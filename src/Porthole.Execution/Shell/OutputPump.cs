using System.Buffers;
using Porthole.Execution.Executors;

namespace Porthole.Execution.Shell;

/// <summary>
/// Copies a pipe to a step output in raw chunks as they arrive: no line splitting, so partial lines and ANSI codes
/// pass unchanged. Each pump has a thread of its own: on Unix an anonymous pipe's ReadAsync is a blocking read on a
/// thread-pool thread, and two of those per running process (stdout and stderr) starve the pool under load.
/// </summary>
internal static class OutputPump
{
    internal const int ChunkSize = 64 * 1024;

    public static Task RunAsync(Stream pipe, IStepOutput output) =>
        Task.Factory.StartNew(() => Run(pipe, output), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static void Run(Stream pipe, IStepOutput output)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var delivering = true;
        try
        {
            int read;
            while ((read = pipe.Read(buffer, 0, ChunkSize)) > 0)
            {
                if (delivering)
                {
                    delivering = Deliver(output, buffer.AsMemory(0, read));
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool Deliver(IStepOutput output, ReadOnlyMemory<byte> chunk)
    {
        try
        {
            var write = output.WriteAsync(chunk, CancellationToken.None);
            if (!write.IsCompletedSuccessfully)
            {
                // This is the pump's own thread, not a pool thread: waiting here holds up nothing else.
                write.AsTask().GetAwaiter().GetResult();
            }

            return true;
        }
        catch (Exception)
        {
            // Keep draining so the process never blocks on a full pipe; the output's owner reports its own failure.
            return false;
        }
    }
}
