namespace Porthole.Execution.Executors;

/// <summary>
/// One process to start: its argv (never a command line to be parsed), its whole environment and its directory.
/// </summary>
public sealed record StepLaunch(
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory)
{
    /// <summary>
    /// Runs as the runner's own account rather than the job's (the node's sshd, which logs users in as the job account).
    /// Only for programs of the runner, never for anything of the job.
    /// </summary>
    public bool AsRunner { get; init; }
}
