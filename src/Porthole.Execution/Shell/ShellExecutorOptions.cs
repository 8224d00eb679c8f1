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
}
