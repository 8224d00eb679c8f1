using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Executors;
using Porthole.Execution.Logging;
using Porthole.Execution.Sections;
using Porthole.Execution.Shell;
using Porthole.Execution.Steps;

namespace Porthole.Execution;

/// <summary>
/// Runs one node of a job on an executor: prepares its environment, runs its steps in order (R-CI-3..7), streams the
/// masked log and the step states to an <see cref="INodeReporter"/>, and leaves nothing running when it returns.
/// </summary>
public sealed class NodeRunner(TimeProvider timeProvider, IExecutor executor)
{
    /// <summary>
    /// Runs the node to its end. Canceling <paramref name="cancellationToken"/> ends the running step's processes,
    /// skips the rest and returns <see cref="NodeResult.Canceled"/>; it does not throw.
    /// </summary>
    public Task<NodeCompletion> RunAsync(NodeAssignment assignment, NodeRunOptions options, INodeReporter reporter, CancellationToken cancellationToken) =>
        RunAsync(assignment, options, reporter, NodeSections.None, cancellationToken);

    /// <summary>
    /// Runs the node to its end with the runner's <paramref name="sections"/> around its steps:
    /// <list type="bullet">
    /// <item><see cref="NodeSections.Before"/> run once the node is prepared (executor set up, working directory and
    /// BASH_ENV made), before the first step; <see cref="NodeSections.After"/> after the last step and the end of the
    /// background steps, whether the steps passed or failed, but not after a cancel (they are reported skipped).</item>
    /// <item>Each is reported like a step with a header in the log: the sections before take the indexes 0..b-1, the
    /// plan's steps follow, the sections after come last.</item>
    /// <item>A section ends at a cancel, never at the job time cap (the cap is for the steps). It never changes the
    /// node's result; one that throws is reported failed with a line in the log, and the node goes on.</item>
    /// <item>A section before the steps that returns <see cref="NodeSectionResult.SkipSteps"/> skips the plan's steps
    /// (reported skipped); the node's result is then success unless it was canceled.</item>
    /// <item>Processes a section starts on <see cref="NodeSectionContext.Node"/> run until it stops them, and at
    /// the latest until the node is destroyed when this returns.</item>
    /// </list>
    /// Canceling <paramref name="cancellationToken"/> ends the running step or section; it does not throw.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="NodeRunOptions.Tag"/> is empty or holds a NUL or a newline.</exception>
    public async Task<NodeCompletion> RunAsync(
        NodeAssignment assignment,
        NodeRunOptions options,
        INodeReporter reporter,
        NodeSections sections,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reporter);
        ArgumentNullException.ThrowIfNull(sections);
        ArgumentNullException.ThrowIfNull(sections.Before);
        ArgumentNullException.ThrowIfNull(sections.After);
        if (sections.Before.Concat(sections.After).Any(s => s is null))
        {
            throw new ArgumentException("A node's sections cannot be null.", nameof(sections));
        }

        if (options.Tag is not null)
        {
            LeftoverProcesses.ValidateTag(options.Tag, nameof(options));
        }

        var tag = options.Tag ?? Guid.NewGuid().ToString("N");
        var masker = SecretMasker.Create(assignment.SecretValues());
        var log = new NodeLog(reporter, masker, assignment.LogCapBytes);
        using var stop = new StopSignals(cancellationToken, assignment.JobTimeout, timeProvider, log.Faulted);
        try
        {
            var spec = assignment.Job.Executor;
            if (executor.Notice(spec) is { } notice)
            {
                await log.Runner.WriteTextAsync(LogLines.IsolationWarning(notice));
            }

            if (assignment.Job.ResourceClass is { } resourceClass)
            {
                // CircleCI sizes the machine by it; runners here have no labels yet, so every runner takes the job alike.
                await log.Runner.WriteTextAsync(LogLines.ResourceClassIgnored(resourceClass));
            }

            foreach (var line in assignment.Notices)
            {
                await log.Runner.WriteTextAsync(LogLines.ServerNotice(line));
            }

            var setupStep = new SetupStep(executor.SetupStepName(spec), log, timeProvider);
            IExecutorNode node;
            try
            {
                var setup = new NodeSetup(options.WorkspaceRoot, spec)
                {
                    Tag = tag,
                    ReadOnlyPaths = LocalRepository(assignment),
                    Say = await setupStep.StartAsync(),
                    Variables = assignment.Variables.GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
                    RemoteDocker = assignment.Job.Steps.Any(s => s.Kind == StepKind.SetupRemoteDocker),
                    HostSide = sections.Before.Count + sections.After.Count > 0 || sections.Break is not null,
                };
                // A cancel reaches the setting up too (a pull from a registry that stalls), not the job's time cap.
                node = await executor.SetupAsync(setup, cancellationToken);
                await setupStep.EndAsync(null);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await setupStep.CanceledAsync();
                await ReportAllSkippedAsync(assignment, sections, log, setupStep.Count);
                return new NodeCompletion(NodeResult.Canceled, "The job was canceled.");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // An executor's own words (ExecutorException), or a fault of ours: the node ends saying which.
                var message = e is ExecutorException ? e.Message : $"Porthole failed while setting up the node ({e.GetType().Name}): {e.Message}";
                await setupStep.EndAsync(message);
                await ReportAllSkippedAsync(assignment, sections, log, setupStep.Count);
                return new NodeCompletion(NodeResult.InfrastructureFail, message);
            }

            if (node.IsolationWarning is { } warning)
            {
                await log.Runner.WriteTextAsync(LogLines.IsolationWarning(warning));
            }

            try
            {
                return await new NodeRun(assignment, options, node, log, timeProvider, stop, sections, tag) { FirstIndex = setupStep.Count }.RunAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A fault of ours, not of the job: the node must still end cleanly and say so.
                return new NodeCompletion(NodeResult.InfrastructureFail, $"Porthole failed while running the node ({e.GetType().Name}): {e.Message}");
            }
            finally
            {
                await node.DestroyAsync();
            }
        }
        finally
        {
            // Whatever a killed process still had in flight is dropped: the reporter hears nothing after we return.
            log.Close();
        }
    }

    /// <summary>
    /// A project whose repository is a path on this machine: its checkout reads it, wherever it is. A job without a
    /// checkout step is given nothing of it (nor made a copy of it).
    /// </summary>
    private static string[] LocalRepository(NodeAssignment assignment) =>
        assignment.Job.Steps.Any(s => s.Kind == StepKind.Checkout) && ShellNode.LocalRepositoryPath(assignment.RepositoryUrl) is { } path ? [path] : [];

    private async Task ReportAllSkippedAsync(NodeAssignment assignment, NodeSections sections, NodeLog log, int firstIndex)
    {
        var now = timeProvider.GetUtcNow();
        var offset = log.Offset;
        var index = firstIndex;
        foreach (var section in sections.Before)
        {
            await log.ReportStepAsync(new StepReport(index++, section.Name, StepState.Skipped, null, offset, offset, now, now));
        }

        foreach (var step in assignment.Job.Steps)
        {
            await log.ReportStepAsync(new StepReport(index++, step.Name, StepState.Skipped, null, offset, offset, now, now, step.Background));
        }

        foreach (var section in sections.After)
        {
            await log.ReportStepAsync(new StepReport(index++, section.Name, StepState.Skipped, null, offset, offset, now, now));
        }
    }
}
