using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Porthole.Execution.Executors;
using Porthole.Execution.Processes;
using Porthole.Execution.Sandbox;

namespace Porthole.Execution.Shell;

/// <summary>
/// One node on the shell executor. With a <see cref="NodeSandbox"/>, every process it starts enters the node's sandbox,
/// and <see cref="DestroyAsync"/> ends them all by ending the sandbox's PID namespace, which nothing can leave. Every
/// process also carries a tag in its environment (<see cref="TagVariable"/>), by which a runner that crashed finds the
/// sandbox (and, without one, whatever escaped the step's session) at its next start.
/// </summary>
internal sealed class ShellNode : IExecutorNode
{
    internal const string TagVariable = LeftoverProcesses.TagVariable;

    /// <summary>
    /// Run by /bin/sh before the step's own argv: stdin from /dev/null, stderr into the stdout pipe (one pipe,
    /// so the two streams stay in the order they were written), then setsid, which execs in place: the
    /// process keeps its pid, which becomes its session and process group id.
    /// </summary>
    private const string Wrapper = "exec </dev/null 2>&1; exec \"$@\"";

    /// <summary>As <see cref="Wrapper"/>, for a launch with an <see cref="StepLaunch.Input"/>: stdin stays the runner's pipe.</summary>
    private const string InputWrapper = "exec 2>&1; exec \"$@\"";

    private const string StandardPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly ShellWorkspace _workspace;
    private readonly ShellTools _tools;
    private readonly TimeProvider _timeProvider;
    private readonly ShellExecutorOptions _options;
    private readonly ProcessTree _processTree;
    private readonly string _tag;
    private readonly NodeSandbox? _sandbox;
    private readonly List<ShellStepProcess> _processes = [];
    private readonly Lock _gate = new();
    private Task? _destroyed;

    public ShellNode(ShellWorkspace workspace, ShellTools tools, TimeProvider timeProvider, ShellExecutorOptions options, string? tag = null, NodeSandbox? sandbox = null)
    {
        _tag = tag ?? Guid.NewGuid().ToString("N");
        _sandbox = sandbox;
        Account = sandbox is null ? null : options.Isolation.Account;
        IsolationWarning = options.Isolation.Warning;
        _workspace = workspace;
        _tools = tools;
        _timeProvider = timeProvider;
        _options = options;
        _processTree = new ProcessTree(timeProvider);
        BaseEnvironment = CreateBaseEnvironment(workspace, Account);
    }

    public string HomeDirectory => _workspace.Home;

    public string ScratchDirectory => _workspace.Scratch;

    public IReadOnlyDictionary<string, string> BaseEnvironment { get; }

    public NodeAccount? Account { get; }

    /// <summary>Local repositories and the copies of them this node's account can read, being made or made.</summary>
    internal RepositoryCopies Copies { get; init; } = RepositoryCopies.None;

    public IReadOnlyList<string> SessionEntry(string directory) => _sandbox?.SessionEntry(directory) ?? [];

    public async ValueTask<string> CheckoutSourceAsync(string repositoryUrl, CancellationToken cancellationToken) =>
        LocalRepositoryPath(repositoryUrl) is { } path && Copies.Covers(path) ? await Copies.SourceAsync(path, cancellationToken) : repositoryUrl;

    /// <summary>The path of a repository that is a path on this machine (or a <c>file://</c> URL to one); null for any other URL.</summary>
    public static string? LocalRepositoryPath(string repository)
    {
        var path = repository.StartsWith("file://", StringComparison.Ordinal) ? Uri.UnescapeDataString(repository["file://".Length..]) : repository;
        return Path.IsPathRooted(path) ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)) : null;
    }

    public string? IsolationWarning { get; }

    /// <summary>The value of <see cref="TagVariable"/> in every process of this node.</summary>
    internal string Tag => _tag;

    public string ResolveDirectory(string path, string baseDirectory) => _workspace.Resolve(path, baseDirectory);

    public ValueTask CreateDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var created = Directory.CreateDirectory(path);
            if (Account is not null)
            {
                // What the runner makes for the job (its working directory, a config's absolute path) is the job's.
                for (var folder = created; folder is not null && IsInWorkspace(folder.FullName) && FileOwnership.OwnerOf(folder.FullName) != (uint)Account.Uid; folder = folder.Parent)
                {
                    FileOwnership.Give(folder.FullName, Account.Uid, Account.Gid);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ExecutorException($"The directory '{path}' could not be created: {e.Message}", e);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Path.Exists(path));

    public async ValueTask<string> WriteScratchFileAsync(string name, string content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_workspace.Scratch, Path.GetFileName(name));
        try
        {
            File.Delete(path);
            await File.WriteAllTextAsync(path, content, new UTF8Encoding(false), cancellationToken);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (Account is not null)
            {
                // The job account runs it and may write to it (BASH_ENV); scratch itself stays the runner's, so the file
                // cannot be swapped for a link to something of the runner's.
                FileOwnership.Give(path, Account.Uid, Account.Gid);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ExecutorException($"The step script '{path}' could not be written: {e.Message}", e);
        }

        return path;
    }

    public Task<IStepProcess> StartAsync(StepLaunch launch, IStepOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(output);
        cancellationToken.ThrowIfCancellationRequested();
        if (launch.Arguments.Count == 0)
        {
            throw new ArgumentException("A step launch needs a program to run.", nameof(launch));
        }

        if (launch.AsRoot)
        {
            // Never as the job's account pretending success, never as the host's root.
            throw new ExecutorException(
                "apt packages need the job's container; this runner runs jobs on its own system, where no step of a job runs as root (this step asks for root "
                + "in the job's container): run the job on a runner with the docker executor, or install the packages on the runner's host and drop them from the config.");
        }

        launch.Environment.TryGetValue("PATH", out var searchPath);
        var program = ExecutableLookup.Find(launch.Arguments[0], searchPath, launch.WorkingDirectory)
            ?? throw new ExecutorException(
                $"'{launch.Arguments[0]}' was not found on the runner (PATH={searchPath}); install it or change the step's shell.");

        var startInfo = new ProcessStartInfo(_tools.Sh)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = launch.WorkingDirectory,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(launch.Input is null ? Wrapper : InputWrapper);
        startInfo.ArgumentList.Add("porthole-step");
        startInfo.ArgumentList.Add(_tools.Setsid);
        if (launch.NetworkNamespace is { } network)
        {
            // Outside the sandbox, where the host's /proc names the namespace; without --pid, nsenter execs in place.
            if (!launch.AsRunner)
            {
                throw new ExecutorException("Only a runner's own program joins another network namespace.");
            }

            startInfo.ArgumentList.Add(ExecutableLookup.Find("nsenter", StandardPath, "/")
                ?? throw new ExecutorException("The runner's host has no nsenter (util-linux), which starts sshd in a container's network."));
            startInfo.ArgumentList.Add("--net=" + network);
            startInfo.ArgumentList.Add("--");
        }

        foreach (var argument in _sandbox?.Enter(launch.WorkingDirectory, launch.AsRunner) ?? [])
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.ArgumentList.Add(program);
        for (var i = 1; i < launch.Arguments.Count; i++)
        {
            startInfo.ArgumentList.Add(launch.Arguments[i]);
        }

        startInfo.Environment.Clear();
        foreach (var (name, value) in launch.Environment)
        {
            startInfo.Environment[name] = value;
        }

        startInfo.Environment[TagVariable] = _tag;

        lock (_gate)
        {
            if (_destroyed is not null)
            {
                throw new ExecutorException("The node has been destroyed; no more steps can start on it.");
            }

            var process = new Process { StartInfo = startInfo };
            try
            {
                process.Start();
            }
            catch (Exception e) when (e is Win32Exception or InvalidOperationException)
            {
                process.Dispose();
                throw new ExecutorException($"The step's process could not be started in '{launch.WorkingDirectory}': {e.Message}", e);
            }

            var stepProcess = new ShellStepProcess(process, output, _processTree, _timeProvider, _options, launch.Input);
            _processes.Add(stepProcess);
            return Task.FromResult<IStepProcess>(stepProcess);
        }
    }

    public ValueTask DestroyAsync()
    {
        lock (_gate)
        {
            _destroyed ??= DestroyOnceAsync();
            return new ValueTask(_destroyed);
        }
    }

    public ValueTask DisposeAsync() => DestroyAsync();

    private async Task DestroyOnceAsync()
    {
        ShellStepProcess[] processes;
        lock (_gate)
        {
            processes = [.. _processes];
        }

        await Task.WhenAll(processes.Select(p => _processTree.EndSessionAsync(p.Id, () => p.IsLeaderRunning, _options.StopGrace)));
        await Copies.DisposeAsync();
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }

        await _processTree.EndTaggedAsync(LeftoverProcesses.Entry(_tag), _options.StopGrace);
        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }
    }

    private bool IsInWorkspace(string path) => path.StartsWith(_workspace.Root + "/", StringComparison.Ordinal);

    private static Dictionary<string, string> CreateBaseEnvironment(ShellWorkspace workspace, NodeAccount? account)
    {
        // Only what a login would give: the server's own variables (tokens, connection strings) must not reach jobs.
        var path = Environment.GetEnvironmentVariable("PATH");
        var lang = Environment.GetEnvironmentVariable("LANG");
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = string.IsNullOrEmpty(path) ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : path,
            ["LANG"] = string.IsNullOrEmpty(lang) ? "C.UTF-8" : lang,
            ["HOME"] = workspace.Home,
            ["USER"] = account?.Name ?? Environment.UserName,
            ["LOGNAME"] = account?.Name ?? Environment.UserName,
            ["SHELL"] = "/bin/bash",
            ["TMPDIR"] = workspace.Temp,
        };
    }
}
