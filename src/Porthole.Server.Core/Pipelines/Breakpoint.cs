namespace Porthole.Server.Pipelines;

/// <summary>
/// Where a debug attempt stops (R-BEY-4): before the step of index <see cref="Before"/> (in the plan's steps, from 0) once
/// the steps before it ran, or at the first step that fails (<see cref="OnFailure"/>). One of the two, never both.
/// </summary>
public sealed record Breakpoint(int? Before, bool OnFailure)
{
    public static Breakpoint BeforeStep(int index) => new(index, OnFailure: false);

    public static Breakpoint AtFailure { get; } = new(null, OnFailure: true);
}
