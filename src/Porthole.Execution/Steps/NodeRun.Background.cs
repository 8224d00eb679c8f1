using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Executors;
using Porthole.Execution.Logging;

namespace Porthole.Execution.Steps;

/// <summary>Background steps: started and left running; reported when they end, and ended with the job.</summary>
internal sealed partial class NodeRun
{
    private async Task StartBackgroundAsync(int index, StepPlan step)
    {
        var startedAt = _timeProvider.GetUtcNow();
        var logStart = _log.Offset;
        await _log.ReportStepAsync(new StepReport(FirstStepIndex + index, step.Name, StepState.Running, null, logStart, null, startedAt, null, Background: true));
        await _log.Runner.WriteTextAsync(LogLines.BackgroundHeader(step.Name));
        var writer = _log.CreateWriter();
        IStepProcess process;
        try
        {
            process = await _node.StartAsync(await PrepareRunAsync(index, step), writer, CancellationToken.None);
        }
        catch (Exception e) when (e is ExecutorException or ArgumentException)
        {
            if (e is ExecutorException)
            {
                _infrastructureProblem ??= e.Message;
            }

            await _log.Runner.WriteTextAsync(LogLines.StartFailed(e.Message));
            await _log.ReportStepAsync(new StepReport(
                FirstStepIndex + index, step.Name, StepState.Failed, null, logStart, _log.Offset, startedAt, _timeProvider.GetUtcNow(), Background: true));
            return;
        }

        var background = new BackgroundStep(FirstStepIndex + index, step.Name, startedAt, logStart, writer, process);
        background.Watch = WatchBackgroundAsync(background);
        _background.Add(background);
    }

    /// <summary>Reports a background step when it ends. Like CircleCI, its result never decides the job's.</summary>
    private async Task WatchBackgroundAsync(BackgroundStep step)
    {
        var exitCode = await step.Process.Exited;
        await step.Writer.FlushAsync();
        StepState state;
        int? reportedCode = null;
        switch (step.EndedBy)
        {
            case null:
                state = exitCode == 0 ? StepState.Success : StepState.Failed;
                reportedCode = exitCode;
                if (exitCode != 0)
                {
                    await _log.Runner.WriteTextAsync((step.Writer.AtLineStart ? string.Empty : "\n") + LogLines.ExitCode(exitCode));
                }

                break;
            case StopReason.None:
                state = StepState.Success;
                break;
            default:
                state = StepState.Canceled;
                break;
        }

        await _log.ReportStepAsync(new StepReport(
            step.Index, step.Name, state, reportedCode, step.LogStart, _log.Offset, step.StartedAt, _timeProvider.GetUtcNow(), Background: true));
    }

    private async Task EndBackgroundStepsAsync()
    {
        var running = _background.Where(b => !b.Process.Exited.IsCompleted).ToList();
        foreach (var step in running)
        {
            step.EndedBy = _stopReason;
            await _log.Runner.WriteTextAsync(LogLines.BackgroundEnded(step.Name));
        }

        await Task.WhenAll(running.Select(b => b.Process.StopAsync()));
        await Task.WhenAll(_background.Select(b => b.Watch));
    }
}
