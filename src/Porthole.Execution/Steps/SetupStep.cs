using System.Text;
using Porthole.Contracts.Runners;
using Porthole.Execution.Logging;

namespace Porthole.Execution.Steps;

/// <summary>
/// The executor's setting up, shown as the node's first step when the executor has one to show (the docker executor's
/// "Spin up environment": pulls and containers); nothing at all otherwise.
/// </summary>
internal sealed class SetupStep(string? name, NodeLog log, TimeProvider timeProvider)
{
    private MaskingLogWriter? _writer;
    private long _logStart;
    private DateTimeOffset _startedAt;

    /// <summary>How many report indexes it takes before the node's sections and steps: 1 or 0.</summary>
    public int Count => name is null ? 0 : 1;

    /// <summary>Reports the step running and returns where the executor says what it does; null without a step.</summary>
    public async Task<Func<string, ValueTask>?> StartAsync()
    {
        if (name is null)
        {
            return null;
        }

        _startedAt = timeProvider.GetUtcNow();
        _logStart = log.Offset;
        await log.ReportStepAsync(new StepReport(0, name, StepState.Running, null, _logStart, null, _startedAt, null));
        await log.Runner.WriteTextAsync(LogLines.Header(name));
        var writer = log.CreateWriter();
        _writer = writer;
        return text => writer.WriteAsync(Encoding.UTF8.GetBytes(text), CancellationToken.None);
    }

    /// <summary>Ends the step: failed with <paramref name="failure"/> in its log, or passed. Without a step, the failure goes to the log as it is.</summary>
    public Task EndAsync(string? failure) =>
        EndAsync(failure is null ? StepState.Success : StepState.Failed, failure is null ? null : LogLines.StartFailed(failure));

    /// <summary>Ends the step canceled: the job was canceled while the executor set the node up.</summary>
    public Task CanceledAsync() => EndAsync(StepState.Canceled, LogLines.Canceled());

    private async Task EndAsync(StepState state, string? line)
    {
        if (name is null || _writer is null)
        {
            if (line is not null)
            {
                await log.Runner.WriteTextAsync(line);
            }

            return;
        }

        await _writer.FlushAsync();
        if (line is not null)
        {
            await log.Runner.WriteTextAsync((_writer.AtLineStart ? string.Empty : "\n") + line);
        }

        await log.ReportStepAsync(new StepReport(0, name, state, null, _logStart, log.Offset, _startedAt, timeProvider.GetUtcNow()));
    }
}
