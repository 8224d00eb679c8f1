using Porthole.Execution.Executors;
using Porthole.Execution.Sandbox;

namespace Porthole.Execution.Shell;

/// <summary>
/// Runs steps as processes on the runner's host, in a workspace folder per node (R-CI-3, the default executor).
/// Each process gets a session and process group of its own through <c>setsid</c>, so that ending a step ends
/// its grandchildren too.
/// </summary>
/// <param name="isolationState">A runner's: the isolation it found at start, which replaces <see cref="ShellExecutorOptions.Isolation"/>.</param>
public sealed class ShellExecutor(TimeProvider timeProvider, ShellExecutorOptions options, IsolationState? isolationState = null) : IExecutor
{
    public ShellExecutor(TimeProvider timeProvider)
        : this(timeProvider, new ShellExecutorOptions())
    {
    }

    public async Task<IExecutorNode> SetupAsync(NodeSetup setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        cancellationToken.ThrowIfCancellationRequested();
        if (setup.Tag is not null)
        {
            LeftoverProcesses.ValidateTag(setup.Tag, nameof(setup));
        }

        var isolation = isolationState?.Current ?? options.Isolation;
        if (isolation.Refusal is not null)
        {
            throw new ExecutorException($"This runner cannot run jobs: {isolation.Refusal}.");
        }

        var tools = ShellTools.Find();
        var tag = setup.Tag ?? Guid.NewGuid().ToString("N");
        var workspace = ShellWorkspace.Create(setup.WorkspaceRoot, isolation.Sandboxed ? isolation.Account : null, isolation.Sandboxed && isolation.UserNamespace);
        // A root runner's job account may not read a local repository where it is: the runner mirrors it into the node
        // for the account. That takes longer than the sandbox's start and grows with the repository, so it goes on beside
        // the node's first steps; only the checkout waits for it.
        var copies = isolation.Sandboxed && isolation.Account is { } account
            ? new RepositoryCopies(setup.ReadOnlyPaths.Where(Directory.Exists), (p, ct) => RepositoryCopy.MirrorAsync(p, workspace.Scratch, account, ct))
            : RepositoryCopies.None;
        NodeSandbox? sandbox;
        try
        {
            sandbox = isolation.Sandboxed
                ? await NodeSandbox.StartAsync(isolation, workspace.Root, tag, [.. setup.ReadOnlyPaths.Where(p => !copies.Covers(p))], timeProvider, cancellationToken)
                : null;
        }
        catch
        {
            // A cancel, or a sandbox that would not start: the copies end with the node that never was.
            await copies.DisposeAsync();
            throw;
        }

        return new ShellNode(workspace, tools, timeProvider, options with { Isolation = isolation }, tag, sandbox) { Copies = copies };
    }
}
