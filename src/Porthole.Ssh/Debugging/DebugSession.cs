using System.Globalization;
using System.Text;
using Porthole.Execution.Executors;
using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Debugging;

/// <summary>
/// The tmux server of a debug node (R-DBG-3): one per node, on a socket in the node's SSH folder, started through
/// the node (it carries the node's process tag and ends with the node) in the foreground, so that its process is the
/// node's to stop, and it exits by itself with its last session, when the last window is exited.
/// </summary>
internal sealed class DebugSession
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SocketPoll = TimeSpan.FromMilliseconds(20);

    private readonly IExecutorNode _node;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _tmuxPath;

    private DebugSession(IExecutorNode node, NodeSshFiles files, IReadOnlyDictionary<string, string> environment, string tmuxPath, IStepProcess server)
    {
        _node = node;
        Files = files;
        _environment = environment;
        _tmuxPath = tmuxPath;
        Server = server;
    }

    public NodeSshFiles Files { get; }

    /// <summary>The tmux server; it exits when the session's last window is exited.</summary>
    public IStepProcess Server { get; }

    /// <summary>Writes the session's files, starts the tmux server and its session <c>debug</c>, and echoes it to the session log unless quiet.</summary>
    /// <param name="environment">What the server starts with: the node's base environment and the endpoint's mark, which its windows inherit.</param>
    public static async Task<DebugSession> StartAsync(
        IExecutorNode node,
        NodeSshFiles files,
        IReadOnlyDictionary<string, string> environment,
        SshOptions options,
        DebugFiles texts,
        DebugPlacement placement,
        bool quiet,
        CancellationToken canceled)
    {
        placement.CreateStepsDirectory();
        foreach (var step in texts.Steps)
        {
            if (step.Request is { } request)
            {
                // The runner runs a typed step: no script, only the request file its functions write.
                await placement.ResetRequestAsync(request.RequestPath, canceled);
                continue;
            }

            await placement.WriteAsync(step.ScriptPath, step.Script, canceled);
            await placement.WriteAsync(step.EnvironmentPath, EnvironmentFileText.Render(step.Environment), canceled);
        }

        if (placement.EnvironmentPath != files.EnvironmentPath)
        {
            await placement.WriteAsync(placement.EnvironmentPath, await File.ReadAllTextAsync(files.EnvironmentPath, canceled), canceled);
        }

        if (placement.RecordHostPath is not null)
        {
            await placement.WriteAsync(placement.RecordPath, string.Empty, canceled);
        }

        await placement.WriteAsync(placement.RcPath, texts.Rc, canceled);
        await placement.WriteAsync(placement.HelpPath, texts.Help, canceled);
        NodeSshFiles.WriteAtomically(files.TmuxConfigPath, DebugScripts.TmuxConfig(files, placement, quiet));
        NodeSshFiles.WriteAtomically(files.SessionLogPath, string.Empty);
        File.Delete(files.TmuxSocketPath);
        File.Delete(files.DebugReadyPath);

        var server = await node.StartAsync(
            new StepLaunch([options.TmuxPath, "-D", "-S", files.TmuxSocketPath, "-f", files.TmuxConfigPath], environment, files.Directory),
            new CapturedOutput(),
            canceled);
        var session = new DebugSession(node, files, environment, options.TmuxPath, server);
        try
        {
            await session.WaitForSocketAsync(canceled);
            await session.RunTmuxAsync(
                ["new-session", "-d", "-s", DebugScripts.SessionName, "-x", "160", "-y", "48", "-c", texts.WorkingDirectory],
                canceled);
            if (!quiet)
            {
                await session.RunTmuxAsync(["pipe-pane", "-o", "-t", DebugScripts.SessionName, DebugScripts.PipeCommand(files)], canceled);
            }

            await placement.WriteAsync(placement.ReadyPath, string.Empty, canceled);

            return session;
        }
        catch
        {
            await server.StopAsync();
            throw;
        }
    }

    /// <summary>Runs one tmux command against the session's server; its output, or an exception when it failed.</summary>
    public async Task<string> RunTmuxAsync(IReadOnlyList<string> arguments, CancellationToken canceled)
    {
        var output = new CapturedOutput();
        var process = await _node.StartAsync(
            new StepLaunch([_tmuxPath, "-S", Files.TmuxSocketPath, .. arguments], _environment, Files.Directory),
            output,
            canceled);
        var code = await process.Exited.WaitAsync(canceled);
        if (code != 0)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"tmux {arguments[0]} failed with exit code {code}: {output.Text.Trim()}"));
        }

        return output.Text;
    }

    /// <summary>
    /// Starts a read-only control-mode client of the session (<c>tmux -C</c>), which takes no part in the window's size: its
    /// notifications go to <paramref name="output"/> until the server ends or <paramref name="input"/> does (its stdin).
    /// </summary>
    public Task<IStepProcess> StartControlClientAsync(IStepOutput output, Func<Stream, CancellationToken, Task> input, CancellationToken canceled) =>
        _node.StartAsync(
            new StepLaunch([_tmuxPath, "-S", Files.TmuxSocketPath, "-C", "attach-session", "-r", "-f", "ignore-size", "-t", DebugScripts.SessionName], _environment, Files.Directory)
            {
                Input = input,
            },
            output,
            canceled);

    /// <summary>Ends the server and every window's processes it still has; removes its socket.</summary>
    public async Task StopAsync()
    {
        await Server.StopAsync();
        try
        {
            File.Delete(Files.TmuxSocketPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The node's folder went first.
        }
    }

    private async Task WaitForSocketAsync(CancellationToken canceled)
    {
        // A tmux command sent before the server listens would start a server of its own (a daemon): wait for the socket.
        // This polls the file system on the real clock: a wait for a process, not a rule of the job.
        var started = TimeProvider.System.GetTimestamp();
        while (!File.Exists(Files.TmuxSocketPath))
        {
            if (Server.Exited.IsCompleted)
            {
                var code = await Server.Exited;
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"tmux ended at once (exit code {code})."));
            }

            if (TimeProvider.System.GetElapsedTime(started) > StartTimeout)
            {
                throw new InvalidOperationException("tmux did not open its socket in time.");
            }

            await Task.Delay(SocketPoll, TimeProvider.System, canceled);
        }
    }

    private sealed class CapturedOutput : IStepOutput
    {
        private readonly MemoryStream _bytes = new();
        private readonly Lock _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return Encoding.UTF8.GetString(_bytes.ToArray());
                }
            }
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (_bytes.Length < 64 * 1024)
                {
                    _bytes.Write(chunk.Span);
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>What a debug session's windows are made of: the steps as functions, the rc file and the help.</summary>
internal sealed record DebugFiles(IReadOnlyList<DebugStep> Steps, string Rc, string Help, string WorkingDirectory);
