namespace Porthole.Execution.Steps;

/// <summary>How a step's process ended.</summary>
internal enum StepEnd
{
    /// <summary>It exited by itself; the exit code tells success.</summary>
    Exited,

    /// <summary>It printed nothing for its no_output_timeout and was ended.</summary>
    NoOutput,

    /// <summary>The node was stopping (cancel, job time cap) and it was ended.</summary>
    Stopped,

    /// <summary>It could not be started (a bad working directory, a missing shell).</summary>
    NotStarted,
}
