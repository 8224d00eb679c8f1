using Porthole.Contracts.Plans;
using Porthole.Execution;
using Porthole.Execution.Docker;
using Porthole.Execution.Executors;

namespace Porthole.Runner;

/// <summary>
/// The runner's executors behind its <see cref="ImageTable"/>, which <see cref="NodeSession"/> has applied to the job:
/// a container a Travis job chose (<see cref="ContainerSpec.Choice"/>) still without an image, or a Travis docker job on a
/// runner whose Docker engine does not answer, ends the node in its setup step (infrastructure_fail) with a message in
/// Travis's words: the choice, the image, and the setting that would serve it.
/// </summary>
public sealed class ImageTableExecutor(IExecutor inner, DockerEngine engine) : IExecutor
{
    public async Task<IExecutorNode> SetupAsync(NodeSetup setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var executor = setup.Executor;
        if (executor.Kind == ExecutorKind.Docker && engine.Settings.RunOnShell && executor.Containers.Any(container => container.Choice is not null))
        {
            await CheckHostAsync(executor, cancellationToken);
            return await inner.SetupAsync(setup, cancellationToken);
        }

        if (ImageTable.Refusal(executor) is { } refusal)
        {
            throw new ExecutorException(refusal);
        }

        if (executor.Kind == ExecutorKind.Docker && !engine.Settings.RunOnShell && executor.Containers is [{ Choice: { } choice } primary, ..] &&
            await engine.ProblemAsync(cancellationToken) is { } problem)
        {
            throw new ExecutorException(
                $"{choice} needs a container ({primary.Image}) and this runner has no Docker engine ({problem}). Start the engine, " +
                "or set Runner:Docker:RunOnShell to run such jobs on the runner's own system with the runtimes installed there.");
        }

        return await inner.SetupAsync(setup, cancellationToken);
    }

    /// <summary>
    /// A runner that runs docker jobs on its own system (Runner:Docker:RunOnShell) serves a Travis job there only when the
    /// host has the language version it asks for, and no service container: otherwise the node ends naming what is missing.
    /// </summary>
    private static async Task CheckHostAsync(ExecutorSpec executor, CancellationToken cancellationToken)
    {
        if (executor.Containers.Skip(1).FirstOrDefault(container => container.Choice is { Kind: ImageChoiceKind.Service }) is { Choice: { } service })
        {
            throw new ExecutorException(
                $"The job's service {service} needs a service container, and this runner runs docker jobs on its own system " +
                "(Runner:Docker:RunOnShell), where it starts none: run the job on a runner with a Docker engine.");
        }

        if (executor.Containers[0] is { Choice: { Kind: ImageChoiceKind.Language } language } primary &&
            await HostRuntimes.MissingAsync(language, primary.Image, cancellationToken) is { } missing)
        {
            throw new ExecutorException(missing);
        }
    }

    public string? SetupStepName(ExecutorSpec executor) => inner.SetupStepName(executor);

    public string? Notice(ExecutorSpec executor) => inner.Notice(executor);
}
