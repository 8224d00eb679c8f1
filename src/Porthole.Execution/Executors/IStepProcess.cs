namespace Porthole.Execution.Executors;

/// <summary>A started step process and its process group.</summary>
public interface IStepProcess
{
    /// <summary>The process id (for the shell executor, also its process group and session id).</summary>
    int Id { get; }

    /// <summary>
    /// Completes with the exit code once the process has exited and its output has been handed over
    /// (128 + the signal number when a signal ended it). Processes it left running in the background do not hold it up.
    /// </summary>
    Task<int> Exited { get; }

    /// <summary>Ends the process and its whole group: a polite signal, then a forced one after a short grace. Idempotent.</summary>
    Task StopAsync();
}
