using Porthole.Execution.Executors;

namespace Porthole.Execution.Shell;

/// <summary>
/// Runs steps as processes on the runner's host, in a workspace folder per node (R-CI-3, the default executor).
/// Each process gets a session and process group of its own through <c>setsid</c>, so that ending a step ends
/// its grandchildren too.
/// </summary>
public sealed class ShellExecutor(TimeProvider timeProvider, ShellExecutorOptions options) : IExecutor
{
    public ShellExecutor(TimeProvider timeProvider)
        : this(timeProvider, new ShellExecutorOptions())
    {
    }

    public Task<IExecutorNode> SetupAsync(NodeSetup setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        cancellationToken.ThrowIfCancellationRequested();
        if (setup.Tag is not null)
        {
            LeftoverProcesses.ValidateTag(setup.Tag, nameof(setup));
        }

        var tools = ShellTools.Find();
        var workspace = ShellWorkspace.Create(setup.WorkspaceRoot);
        IExecutorNode node = new ShellNode(workspace, tools, timeProvider, options, setup.Tag);
        return Task.FromResult(node);
    }
}
