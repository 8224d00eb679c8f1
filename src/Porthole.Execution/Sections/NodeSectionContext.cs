using Porthole.Contracts.Runners;
using Porthole.Execution.Executors;
using Porthole.Execution.Logging;

namespace Porthole.Execution.Sections;

/// <summary>What a section may see and use of its node.</summary>
public sealed class NodeSectionContext
{
    public NodeSectionContext(
        IExecutorNode node,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment,
        string? bashEnvPath,
        bool jobFailed,
        Func<string, ValueTask> write)
    {
        Node = node;
        WorkingDirectory = workingDirectory;
        Environment = environment;
        BashEnvPath = bashEnvPath;
        JobFailed = jobFailed;
        _write = write;
    }

    private readonly Func<string, ValueTask> _write;

    /// <summary>The node's environment: start processes here (they are tagged and ended with the node).</summary>
    public IExecutorNode Node { get; }

    /// <summary>The job's working directory as the steps see it.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The job-level environment of the steps: base, built-ins, project variables, job environment (not a step's own).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>CircleCI's <c>BASH_ENV</c> file that steps may have appended exports to; null for Travis.</summary>
    public string? BashEnvPath { get; }

    /// <summary>For a section after the steps: whether the steps failed.</summary>
    public bool JobFailed { get; }

    /// <summary>For a section after the steps: the steps' result as the node would end with it (a held node's, R-BEY-1).</summary>
    public NodeCompletion? StepsResult { get; init; }

    /// <summary>For a breakpoint's section (R-BEY-4): the step it stopped before, or the one that failed (with <see cref="JobFailed"/>).</summary>
    public int? StepIndex { get; init; }

    /// <summary>
    /// The server's side of the protocol, for a job-data step a section runs (a debug session's <c>porthole_run_step</c>);
    /// null when the node runs without one.
    /// </summary>
    public IRunnerProtocol? Server { get; init; }

    /// <summary>The runner's folder for archives on their way up or down (the job-data steps'); null: the node has none.</summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>The section's own writer of the node's log (masked), for a step handler the section runs; null when the node's run gives none.</summary>
    internal MaskingLogWriter? LogWriter { get; init; }

    /// <summary>The job's secrets, for a step handler the section runs; null when the node's run gives none.</summary>
    internal SecretMasker? Masker { get; init; }

    /// <summary>Writes text to the node's log, inside this section, through the secret masking.</summary>
    public ValueTask WriteAsync(string text) => _write(text);
}
