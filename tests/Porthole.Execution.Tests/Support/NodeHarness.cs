using Porthole.Contracts.Runners;
using Porthole.Execution.Sections;
using Porthole.Execution.Shell;

namespace Porthole.Execution.Tests.Support;

/// <summary>Runs a node on the real shell executor in a temporary workspace, as the runner would.</summary>
internal sealed class NodeHarness : IDisposable
{
    private readonly TempFolder _folder = new("porthole-node-");

    public NodeHarness(TimeProvider? runnerTime = null)
    {
        RunnerTime = runnerTime ?? TimeProvider.System;
        Executor = new ShellExecutor(TimeProvider.System, new ShellExecutorOptions { StopGrace = TimeSpan.FromSeconds(1) });
    }

    public TimeProvider RunnerTime { get; }

    public ShellExecutor Executor { get; }

    public RecordingReporter Reporter { get; } = new();

    public string WorkspaceRoot => _folder.Combine("workspace");

    public string Home => Path.Combine(WorkspaceRoot, "home");

    /// <summary>A folder beside the workspace where steps can leave evidence for the test (pid files).</summary>
    public string Evidence => _folder.Path;

    public Task<NodeCompletion> RunAsync(NodeAssignment assignment, CancellationToken cancellationToken = default, TimeSpan? defaultNoOutputTimeout = null) =>
        new NodeRunner(RunnerTime, Executor).RunAsync(
            assignment,
            new NodeRunOptions(WorkspaceRoot, defaultNoOutputTimeout ?? TimeSpan.FromMinutes(10)),
            Reporter,
            cancellationToken);

    public Task<NodeCompletion> RunAsync(NodeAssignment assignment, NodeSections sections, CancellationToken cancellationToken = default, string? tag = null) =>
        new NodeRunner(RunnerTime, Executor).RunAsync(
            assignment,
            new NodeRunOptions(WorkspaceRoot, TimeSpan.FromMinutes(10)) { Tag = tag },
            Reporter,
            sections,
            cancellationToken);

    public void Dispose() => _folder.Dispose();
}
