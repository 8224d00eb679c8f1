namespace Porthole.Execution.Steps;

internal sealed record StepOutcome(StepEnd End, int? ExitCode)
{
    public static StepOutcome NotStarted { get; } = new(StepEnd.NotStarted, null);

    public bool Succeeded => End == StepEnd.Exited && ExitCode == 0;
}
