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
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var readable = setup.ReadOnlyPaths;
        if (isolation.Sandboxed && isolation.Account is { } account)
        {
            foreach (var path in setup.ReadOnlyPaths.Where(Directory.Exists))
            {
                sources[path] = await RepositoryCopy.MirrorAsync(path, workspace.Scratch, account, cancellationToken);
            }

            readable = [.. setup.ReadOnlyPaths.Where(p => !sources.TryGetValue(p, out var copy) || copy == p)];
        }

        var sandbox = isolation.Sandboxed
            ? await NodeSandbox.StartAsync(isolation, workspace.Root, tag, readable, timeProvider, cancellationToken)
            : null;
        return new ShellNode(workspace, tools, timeProvider, options with { Isolation = isolation }, tag, sandbox) { CheckoutSources = sources };
    }
}
