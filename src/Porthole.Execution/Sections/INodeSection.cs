using Porthole.Contracts.Runners;

namespace Porthole.Execution.Sections;

/// <summary>
/// A section the runner adds around a node's steps, shown and reported like a step of its own: "Enable SSH"
/// before the first step, "Wait for SSH" after the last, a debug session instead of the phases. This is the
/// seam beside the step runner for SSH and debug sessions (the step runner knows nothing of either).
/// A section never changes the job's result (R-SSH-7).
/// </summary>
public interface INodeSection
{
    /// <summary>The section's name, as its header and its step name.</summary>
    string Name { get; }

    /// <summary>
    /// Runs the section. <paramref name="canceled"/> fires when the job is canceled (not at the job time cap: the
    /// steps' cap does not cut a debugging session short); the section then ends at once.
    /// </summary>
    Task<NodeSectionResult> RunAsync(NodeSectionContext context, CancellationToken canceled);
}

/// <summary>
/// How a section ended. <see cref="SkipSteps"/> (for sections before the steps) skips the plan's steps, as a debug
/// session does: the user runs them by hand. <see cref="Message"/> then says how the node ended (the node's message),
/// since no step result does.
/// </summary>
public sealed record NodeSectionResult(StepState State, bool SkipSteps = false, string? Message = null);
