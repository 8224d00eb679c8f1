using Porthole.Contracts.Plans;
using Porthole.Execution.Docker;

namespace Porthole.Execution.Executors;

/// <summary>
/// A runner's executors, chosen per job by what its plan asks for (R-CI-3): <c>docker:</c> → the docker executor;
/// <c>machine:</c> or nothing → the shell executor; what this runner cannot serve (<c>macos:</c>, a Windows image) →
/// an infrastructure failure naming what was asked for and what is offered. <paramref name="runDockerOnShell"/> sends
/// docker jobs to the shell executor instead (hosts without Docker), and the job's log says so at its top.
/// </summary>
public sealed class ExecutorChooser(IExecutor shell, DockerExecutor docker, bool runDockerOnShell) : IExecutor
{
    public Task<IExecutorNode> SetupAsync(NodeSetup setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return Pick(setup.Executor).SetupAsync(setup, cancellationToken);
    }

    public string? SetupStepName(ExecutorSpec executor) =>
        Serves(executor) ? Pick(executor).SetupStepName(executor) : null;

    public string? Notice(ExecutorSpec executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.Kind == ExecutorKind.Docker && runDockerOnShell
            ? $"This runner runs docker jobs on the shell executor (Runner:Docker:RunOnShell): this job runs on the runner's host, not in {executor.Image ?? "its image"}."
            : null;
    }

    private static bool Serves(ExecutorSpec executor) => executor.Kind is ExecutorKind.Shell or ExecutorKind.Machine or ExecutorKind.Docker;

    private IExecutor Pick(ExecutorSpec executor) => executor.Kind switch
    {
        ExecutorKind.Shell or ExecutorKind.Machine => shell,
        ExecutorKind.Docker => runDockerOnShell ? shell : docker,
        _ => throw new ExecutorException(
            $"This job asks for {executor.Description ?? Asked(executor)}, which this runner cannot give: it offers the shell executor and the docker executor{(runDockerOnShell ? " (docker jobs on the shell executor)" : string.Empty)}."),
    };

    private static string Asked(ExecutorSpec executor) => executor.Kind switch
    {
        ExecutorKind.MacOs => "a macOS machine (macos:)",
        ExecutorKind.Windows => $"a Windows machine{(executor.Image is null ? string.Empty : $" ({executor.Image})")}",
        _ => $"the {executor.Kind.ToString().ToLowerInvariant()} executor",
    };
}
