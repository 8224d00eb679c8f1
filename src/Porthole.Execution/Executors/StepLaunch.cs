namespace Porthole.Execution.Executors;

/// <summary>
/// One process to start: its argv (never a command line to be parsed), its whole environment and its directory.
/// </summary>
public sealed record StepLaunch(
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory);
