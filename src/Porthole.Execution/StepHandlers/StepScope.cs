using Porthole.Contracts.Runners;
using Porthole.Execution.Executors;
using Porthole.Execution.Logging;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// What a job-data step's handler works with: the node, the server's job-data calls, the runner's spool folder for
/// archives on their way, the step's environment and directory, and the step's log. The same scope is made by a node's
/// run and by a debug session's <c>porthole_run_step</c>.
/// </summary>
internal sealed class StepScope
{
    public required NodeAssignment Assignment { get; init; }

    public required IExecutorNode Node { get; init; }

    /// <summary>The server's side of the protocol; null when the node runs without one (then every job-data step fails, saying so).</summary>
    public required IRunnerProtocol? Server { get; init; }

    /// <summary>A folder of the runner's, out of every node's reach, for archives on their way up or down.</summary>
    public required string SpoolDirectory { get; init; }

    public required TimeProvider Time { get; init; }

    /// <summary>The job's working directory as the node sees it (relative paths of a step are relative to it).</summary>
    public required string JobDirectory { get; init; }

    /// <summary>The step's whole environment (HOME for <c>~</c>, the variables a cache key may read).</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>The names of the project's secret variables: a cache key may not carry them.</summary>
    public required IReadOnlySet<string> SecretNames { get; init; }

    /// <summary>Masks the job's secrets out of text that leaves the node other than by the log (test messages).</summary>
    public required SecretMasker Masker { get; init; }

    /// <summary>The step's log: what the node's commands print goes here, masked.</summary>
    public required MaskingLogWriter Log { get; init; }

    /// <summary>Canceled when the node stops (a cancel, the job's time cap): the handler ends its commands and throws.</summary>
    public required CancellationToken Stopping { get; init; }

    /// <summary>
    /// Also told every line the runner says (<see cref="SayAsync"/>), without its line break: a debug session's window
    /// that waits for the step shows them. Null on a node's own run.
    /// </summary>
    public Func<string, ValueTask>? Echo { get; init; }

    /// <summary>A line of the runner's own into the step's log (and to <see cref="Echo"/>).</summary>
    public async ValueTask SayAsync(string line)
    {
        await Log.WriteTextAsync((Log.AtLineStart ? string.Empty : "\n") + line + "\n");
        if (Echo is { } echo)
        {
            await echo(line);
        }
    }

    public IRunnerProtocol RequireServer() =>
        Server ?? throw new StepFailedException("This runner has no server to keep job data (caches, workspaces, artifacts, test results).");
}

/// <summary>A job-data step failed for a reason the handler says in its message (written to the step's log).</summary>
internal sealed class StepFailedException(string message) : Exception(message);
