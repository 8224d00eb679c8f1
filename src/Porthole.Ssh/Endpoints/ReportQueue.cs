using System.Threading.Channels;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// Hands reports to the sink one at a time, in the order they were made, off the threads that made them (sshd's output
/// pump must never wait for the server). A sink that fails once does not stop the reports that follow.
/// </summary>
internal sealed class ReportQueue : IAsyncDisposable
{
    private readonly Channel<Func<Task>> _reports = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;

    public ReportQueue()
    {
        _pump = PumpAsync();
    }

    public void Post(Func<Task> report) => _reports.Writer.TryWrite(report);

    /// <summary>Posts a report and waits until the sink has taken it (or failed to).</summary>
    public async Task DeliverAsync(Func<Task> report, CancellationToken cancellationToken)
    {
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = _reports.Writer.TryWrite(async () =>
        {
            try
            {
                await report();
            }
            finally
            {
                delivered.TrySetResult();
            }
        });
        if (posted)
        {
            await delivered.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Waits until every report posted so far has reached the sink.</summary>
    public Task DrainAsync() => DeliverAsync(() => Task.CompletedTask, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        _reports.Writer.TryComplete();
        await _pump;
    }

    private async Task PumpAsync()
    {
        await foreach (var report in _reports.Reader.ReadAllAsync())
        {
            try
            {
                await report();
            }
#pragma warning disable CA1031 // One failed report must not stop the ones after it.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
