namespace Porthole.Execution.Shell;

/// <summary>
/// Tuning of the shell executor. <see cref="StopGrace"/>: how long a process group gets between SIGTERM and SIGKILL.
/// <see cref="DrainWindow"/>: how long output is still awaited after a step's process exited while something it
/// started in the background keeps the output pipe open.
/// </summary>
public sealed record ShellExecutorOptions
{
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan DrainWindow { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How the node's processes are kept from the server and from other nodes; the runner sets what it found at start.</summary>
    public Sandbox.JobIsolation Isolation { get; init; } = Sandbox.JobIsolation.Unisolated;
}
