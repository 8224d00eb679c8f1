namespace Porthole.Execution.Sandbox;

/// <summary>What a runner asks of <see cref="IsolationProbe"/>: its settings and the folders jobs must not see.</summary>
/// <param name="JobAccount">The account a root runner runs jobs as; made when missing.</param>
/// <param name="RunJobsAsRoot">A root runner's opt-out: jobs run as root, and then nothing keeps them from the server.</param>
public sealed record IsolationSettings(
    string JobAccount,
    bool RunJobsAsRoot,
    IReadOnlyList<string> HiddenPaths,
    IReadOnlyList<string> RunnerReadOnlyPaths);
