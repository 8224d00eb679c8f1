using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Logging;
using Porthole.Execution.Sections;

namespace Porthole.Execution.Steps;

/// <summary>The runner's sections around the steps: each run and reported like a step, never deciding the job's result.</summary>
internal sealed partial class NodeRun
{
    /// <summary>
    /// A breakpoint (R-BEY-4) at step <paramref name="stepIndex"/>: its section runs once, reported after every other
    /// section; unless it ended by <c>porthole-continue</c>, the steps left are skipped with its message.
    /// </summary>
    private async Task RunBreakAsync(int stepIndex)
    {
        _broke = true;
        var result = await RunSectionAsync(FirstAfterIndex + _sections.After.Count, _sections.Break!, _progress.Failed, stepIndex);
        if (_stop.IsCanceled)
        {
            _stopReason = StopReason.Canceled;
        }

        if (result is null || result.SkipSteps)
        {
            _skipSteps = true;
            _skippedStepsMessage = result?.Message ?? _skippedStepsMessage;
        }
    }

    private async Task RunBeforeSectionAsync(int index, INodeSection section)
    {
        if (_stop.SectionStop.IsCancellationRequested)
        {
            await ReportSectionSkippedAsync(index, section);
            return;
        }

        var result = await RunSectionAsync(index, section, jobFailed: false);
        _skipSteps |= result?.SkipSteps == true;
        if (result is { SkipSteps: true, Message: { } message })
        {
            _skippedStepsMessage = message;
        }
    }

    /// <summary>
    /// Runs one section, reported like a step. It ends at a cancel (its token), never at the job time cap. A section
    /// that throws is reported failed with a line in the log and the node goes on: a section never decides the job's
    /// result. Returns the section's own result when it ended by itself.
    /// </summary>
    private async Task<NodeSectionResult?> RunSectionAsync(int index, INodeSection section, bool jobFailed, int? stepIndex = null)
    {
        var name = section.Name;
        var startedAt = _timeProvider.GetUtcNow();
        var logStart = _log.Offset;
        await _log.ReportStepAsync(new StepReport(index, name, StepState.Running, null, logStart, null, startedAt, null));
        await _log.Runner.WriteTextAsync(LogLines.Header(name));

        var output = new SectionOutput(_log.CreateWriter());
        var context = new NodeSectionContext(
            _node,
            _jobDirectory,
            JobEnvironment(),
            _assignment.Dialect == ConfigDialect.CircleCi ? _bashEnvPath : null,
            jobFailed,
            output.WriteAsync)
        {
            Server = _options.Server,
            SpoolDirectory = SpoolDirectory,
            LogWriter = output.Writer,
            Masker = _log.Masker,
            StepsResult = jobFailed ? Completion() : null,
            StepIndex = stepIndex,
        };
        var canceled = _stop.SectionStop;

        Task<NodeSectionResult> running;
        try
        {
            running = section.RunAsync(context, canceled) ?? Task.FromException<NodeSectionResult>(new InvalidOperationException("The section returned no task."));
        }
        catch (Exception e)
        {
            running = Task.FromException<NodeSectionResult>(e);
        }

        await Task.WhenAny(running, WhenCanceledAsync(canceled));
        if (!running.IsCompleted)
        {
            // Canceled: the section is asked to end at once; one that does not is left behind (the node's destroy
            // ends whatever it started), and it can no longer write to the log.
            await Task.WhenAny(running, Task.Delay(SectionCancelGrace, _timeProvider));
        }

        NodeSectionResult? result = null;
        string? ending = null;
        StepState state;
        if (canceled.IsCancellationRequested)
        {
            state = StepState.Canceled;
            ending = _stop.IsCanceled ? LogLines.SectionCanceled() : null;
        }
        else if (running.IsCompletedSuccessfully)
        {
            result = running.Result;
            state = result is null || result.State == StepState.Running ? StepState.Success : result.State;
        }
        else
        {
            state = StepState.Failed;
            var error = running.Exception?.InnerException;
            ending = LogLines.SectionFailed(name, error is null ? "it was canceled." : error.Message);
        }

        if (!running.IsCompleted)
        {
            _ = running.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        await output.CloseAsync();
        if (ending is not null)
        {
            await _log.Runner.WriteTextAsync((output.Writer.AtLineStart ? string.Empty : "\n") + ending);
        }

        await _log.ReportStepAsync(new StepReport(index, name, state, null, logStart, _log.Offset, startedAt, _timeProvider.GetUtcNow()));
        return result;
    }

    private static Task WhenCanceledAsync(CancellationToken token)
    {
        if (token.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        var canceled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = token.Register(() => canceled.TrySetResult());
        _ = canceled.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return canceled.Task;
    }

    private async Task ReportSectionSkippedAsync(int index, INodeSection section)
    {
        var now = _timeProvider.GetUtcNow();
        var offset = _log.Offset;
        await _log.ReportStepAsync(new StepReport(index, section.Name, StepState.Skipped, null, offset, offset, now, now));
    }
}
