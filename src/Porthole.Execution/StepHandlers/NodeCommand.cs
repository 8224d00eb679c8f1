using Porthole.Execution.Executors;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// A command of the runner's run on the node as the job's account (a <c>tar</c>, a <c>cat</c>): <c>/bin/sh -c SCRIPT</c>
/// with the step's environment, so that it reads and writes exactly what the job could, and nothing of the runner's; or
/// a plan's root step (<see cref="Porthole.Contracts.Plans.StepPlan.AsRoot"/>) as root in the job's container.
/// </summary>
internal static class NodeCommand
{
    /// <summary>Runs <paramref name="script"/> (its <c>$1</c>… are <paramref name="arguments"/>) to its end; ends it and throws when the node stops.</summary>
    /// <exception cref="OperationCanceledException">The node is stopping.</exception>
    /// <exception cref="ExecutorException">It could not be started.</exception>
    public static async Task<int> RunAsync(
        StepScope scope,
        string script,
        IReadOnlyList<string> arguments,
        string directory,
        IStepOutput output,
        Func<Stream, CancellationToken, Task>? input = null,
        string shell = "/bin/sh",
        bool asRoot = false)
    {
        scope.Stopping.ThrowIfCancellationRequested();
        var launch = new StepLaunch([shell, "-c", script, "porthole", .. arguments], scope.Environment, directory) { Input = input, AsRoot = asRoot };
        var process = await scope.Node.StartAsync(launch, output, CancellationToken.None);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (scope.Stopping.Register(() => stopped.TrySetResult()))
        {
            if (await Task.WhenAny(process.Exited, stopped.Task) != process.Exited)
            {
                await process.StopAsync();
                await process.Exited;
                throw new OperationCanceledException(scope.Stopping);
            }
        }

        return await process.Exited;
    }
}
