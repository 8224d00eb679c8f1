using Porthole.Execution.Executors;
using Porthole.Execution.Logging;

namespace Porthole.Execution.Steps;

/// <summary>A step started with <c>background: true</c>: it runs beside the next steps until it exits or the job ends.</summary>
internal sealed class BackgroundStep(int index, string name, DateTimeOffset startedAt, long logStart, MaskingLogWriter writer, IStepProcess process)
{
    public int Index { get; } = index;

    public string Name { get; } = name;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public long LogStart { get; } = logStart;

    public MaskingLogWriter Writer { get; } = writer;

    public IStepProcess Process { get; } = process;

    /// <summary>Set when the node ends the step (at the end of the job, or on a stop) rather than the step exiting by itself.</summary>
    public StopReason? EndedBy { get; set; }

    public Task Watch { get; set; } = Task.CompletedTask;
}
