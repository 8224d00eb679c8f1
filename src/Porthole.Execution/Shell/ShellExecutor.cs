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
        // for the account, beside the sandbox's start (both take tens of milliseconds before the first step).
        var copies = isolation.Sandboxed && isolation.Account is { } account
            ? setup.ReadOnlyPaths.Where(Directory.Exists).ToDictionary(p => p, p => RepositoryCopy.MirrorAsync(p, workspace.Scratch, account, cancellationToken), StringComparer.Ordinal)
            : [];
        var sandboxStart = isolation.Sandboxed
            ? NodeSandbox.StartAsync(isolation, workspace.Root, tag, [.. setup.ReadOnlyPaths.Where(p => !copies.ContainsKey(p))], timeProvider, cancellationToken)
            : Task.FromResult<NodeSandbox?>(null)!;
        try
        {
            await Task.WhenAll(copies.Values.Cast<Task>().Append(sandboxStart));
        }
        catch
        {
            // A cancel (or a failed copy) after the sandbox started: nothing may outlive the node that never was.
            if (sandboxStart.IsCompletedSuccessfully && sandboxStart.Result is { } started)
            {
                await started.DisposeAsync();
            }

            throw;
        }

        var sandbox = await sandboxStart;
        var sources = copies.ToDictionary(c => c.Key, c => c.Value.Result, StringComparer.Ordinal);
        return new ShellNode(workspace, tools, timeProvider, options with { Isolation = isolation }, tag, sandbox) { CheckoutSources = sources };
    }
}
