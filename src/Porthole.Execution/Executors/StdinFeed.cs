namespace Porthole.Execution.Executors;

/// <summary>
/// Feeds a process's stdin from a <see cref="StepLaunch.Input"/> and closes it when the input ends. A process that exits
/// before reading everything (a broken pipe) ends the feed quietly: the input's owner learns what happened from its
/// own callback, which sees the write fail.
/// </summary>
internal static class StdinFeed
{
    public static Task RunAsync(Stream stdin, Func<Stream, CancellationToken, Task> input) =>
        Task.Run(async () =>
        {
            try
            {
                await input(stdin, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The process went away before it read its input.
            }
            finally
            {
                try
                {
                    await stdin.DisposeAsync();
                }
                catch (IOException)
                {
                    // A broken pipe on close: nothing more to say.
                }
            }
        });
}
