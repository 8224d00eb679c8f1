using Porthole.Contracts.Plans;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// The typed steps that are not a process of the job's own: one handler each, the same on every executor and in a debug
/// session's <c>porthole_run_step</c>. <c>run</c>, <c>checkout</c> and <c>setup_remote_docker</c> stay with the node's run.
/// </summary>
internal static class StepHandlerSet
{
    private static readonly Dictionary<StepKind, IStepHandler> Handlers = new()
    {
        [StepKind.SaveCache] = new SaveCacheHandler(),
        [StepKind.RestoreCache] = new RestoreCacheHandler(),
        [StepKind.PersistToWorkspace] = new PersistToWorkspaceHandler(),
        [StepKind.AttachWorkspace] = new AttachWorkspaceHandler(),
        [StepKind.StoreArtifacts] = new StoreArtifactsHandler(),
        [StepKind.StoreTestResults] = new StoreTestResultsHandler(),
        [StepKind.AddSshKeys] = new AddSshKeysHandler(),
    };

    private static readonly RootStepHandler Root = new();

    /// <summary>Whether <paramref name="kind"/> is run by a handler here.</summary>
    public static bool Handles(StepKind kind) => Handlers.ContainsKey(kind);

    /// <summary>
    /// Whether a debug session asks the runner to run <paramref name="step"/>: a typed step, or a step that runs as root
    /// (a node's own run starts that one as any run step, as root).
    /// </summary>
    public static bool HandlesInDebug(StepPlan step) => Handles(step.Kind) || step is { AsRoot: true, Kind: StepKind.Run };

    /// <summary>
    /// Runs the step; a failure it can name is written to the step's log and is exit code 1.
    /// </summary>
    /// <exception cref="OperationCanceledException">The node stopped (<see cref="StepScope.Stopping"/>).</exception>
    /// <exception cref="Executors.ExecutorException">The node could not run the runner's commands.</exception>
    public static async Task<int> RunAsync(StepPlan step, StepScope scope)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(scope);
        IStepHandler? handler = step is { AsRoot: true, Kind: StepKind.Run } ? Root : Handlers.GetValueOrDefault(step.Kind);
        if (handler is null)
        {
            throw new ArgumentException($"No handler runs {step.Kind} steps.", nameof(step));
        }

        try
        {
            return await handler.RunAsync(step, scope);
        }
        catch (StepFailedException e)
        {
            await scope.SayAsync(e.Message);
            return 1;
        }
        catch (OperationCanceledException) when (!scope.Stopping.IsCancellationRequested)
        {
            await scope.SayAsync("The step's transfer timed out.");
            return 1;
        }
    }
}
