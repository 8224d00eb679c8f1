using System.Globalization;
using Porthole.Execution.Executors;
using Porthole.Execution.Processes;
using Porthole.Execution.Sections;
using Porthole.Ssh.Keys;

namespace Porthole.Ssh.Endpoints;

/// <summary>A node's sshd, listening.</summary>
/// <param name="LaunchEnvironment">What sshd was started with: the node's base environment and the endpoint's mark, for other processes of the endpoint (tmux).</param>
/// <param name="Commands">The sessions' <c>porthole-extend</c> and <c>porthole-release</c>, and the notices at their prompts (R-BEY-4).</param>
/// <param name="Relay">The advertised port's listener, when sshd runs in a docker node's network; null when sshd listens there itself.</param>
/// <param name="SocketTables">Where the kernel's TCP tables of sshd's network are (<c>/proc/net</c>, or a container's process's).</param>
internal sealed record SshdLaunch(
    NodeSshFiles Files,
    AuditLog Audit,
    IStepProcess Process,
    SshdAttempt Sshd,
    HostKey HostKey,
    string Account,
    IReadOnlyDictionary<string, string> LaunchEnvironment,
    SessionEntry Entry,
    SessionCommands Commands,
    SshdRelay? Relay = null,
    string SocketTables = "/proc/net");

/// <summary>
/// Starts a node's sshd: writes its files, then tries the ports of the range until sshd listens on one. sshd runs
/// through the node (<see cref="IExecutorNode.StartAsync"/>), so it carries the node's tag and ends with the node.
/// A node with a network of its own (a docker node's primary container) gets its sshd in that network when the runner is
/// root: sshd listens on the container's <c>127.0.0.1</c>, its forwards open the container's addresses (its loopback,
/// where VS Code's server listens), and the advertised port is the runner's relay to it (<see cref="SshdRelay"/>).
/// </summary>
/// <param name="openAccessToken">A debug run open to anyone with its ssh command (R-DBG-7): the token such a connection must send.</param>
/// <param name="record">Whether the project records sessions (R-BEY-2): they are, where the runner's host has util-linux's <c>script</c>.</param>
internal sealed class SshdLauncher(SshOptions options, string endpointId, TimeProvider timeProvider, bool debug = false, string? openAccessToken = null, bool record = false)
{
    /// <summary>Whether the sessions are recorded: asked for, and <c>script</c> is there.</summary>
    public bool Recording { get; } = record && File.Exists(ScriptTexts.RecordingScriptPath);

    /// <summary>Whether the sshd started lets in any key that comes with the run's token.</summary>
    public bool OpenAccess { get; private set; }

    /// <summary>How the sessions enter the node, once <see cref="LaunchAsync"/> has asked it.</summary>
    public SessionEntry? Entry { get; private set; }

    /// <summary>Starts sshd, or writes why it could not to the section and returns null.</summary>
    /// <param name="authorizedKeys">The authorized_keys text now; written under <paramref name="keysGate"/>, as key updates are.</param>
    /// <param name="onLine">Every line sshd prints, with the attempt that printed it.</param>
    public async Task<SshdLaunch?> LaunchAsync(
        NodeSectionContext context,
        Func<NodeSshFiles, SessionEntry, string> authorizedKeys,
        SemaphoreSlim keysGate,
        Action<SshdAttempt, string> onLine,
        CancellationToken canceled)
    {
        var hostKey = await HostKey.LoadOrCreateAsync(options.HostKeyPath, canceled);
        // sshd and its files live on the node's host side: the node itself on the shell executor, a sandbox beside a container.
        var host = context.Node.Host;
        var files = new NodeSshFiles(options.NodeDirectory ?? Path.Combine(host.ScratchDirectory, "ssh"));
        files.CreateDirectory(host.Account);
        var launchEnvironment = new Dictionary<string, string>(host.BaseEnvironment, StringComparer.Ordinal)
        {
            [ScriptTexts.EndpointVariable] = endpointId,
        };
        var nodeVariables = await NodeVariablesAsync(host, launchEnvironment, files.Directory, canceled);
        var sessionEnvironment = SessionEnvironment(context, nodeVariables);
        var environmentText = EnvironmentFileText.Render(sessionEnvironment);
        NodeSshFiles.WriteAtomically(files.EnvironmentPath, environmentText);

        // The lifecycle's commands: the sessions' rc has them here, a debug run's windows in their own rc (DebugRun).
        var commands = SessionCommands.For(context.Node, files);
        await commands.PrepareAsync(canceled);
        var commandsRc = commands.Rc(bash: true);
        NodeSshFiles.WriteAtomically(files.SessionRcPath, ScriptTexts.SessionRc(files, context.BashEnvPath) + commandsRc);
        Entry = await context.Node.SessionEntryAsync(
            new SessionEntryRequest(
                context.WorkingDirectory, sessionEnvironment, ScriptTexts.InlineSessionRc(environmentText, context.BashEnvPath) + commandsRc, files.Directory, host.Account, [ScriptTexts.SessionVariable]),
            canceled);
        NodeSshFiles.WriteAtomically(
            files.AttachScriptPath,
            ScriptTexts.Attach(files, context.WorkingDirectory, endpointId, options.BashPath, options.SftpServerPath, debug ? options.TmuxPath : null, Entry, Recording, commands.HostNoticePath));
        NodeSshFiles.WriteAtomically(files.SupervisorPath, ScriptTexts.Supervisor);
        files.CreateEmptyAuditLog();

        // A root runner's nodes log users in as its job account, never as root (sshd itself runs as root, in the node's sandbox).
        var account = host.Account?.Name ?? Environment.UserName;
        string? openAccess = null;
        if (openAccessToken is not null)
        {
            (openAccess, var problem) = OpenAccessText.Render(options.PrintfPath, account, options.BashPath, files.AttachScriptPath);
            if (problem is null)
            {
                NodeSshFiles.WriteAtomically(files.DebugTokenPath, openAccessToken + "\n");
            }
            else
            {
                await context.WriteAsync($"This project lets anyone with the ssh command in (debug_open_access), but this runner cannot: {problem}. Only the keys below get in.\n");
            }
        }

        OpenAccess = openAccess is not null;
        var network = Entry.NetworkNamespaceProcess;
        if (network is not null && !Environment.IsPrivilegedProcess)
        {
            network = null;
            await context.WriteAsync("Port forwards from this node reach its container's address, not the container's loopback (where VS Code's server listens): only a runner running as root can start sshd in the container's network.\n");
        }

        NetworkNamespace? joined = null;
        if (network is { } container)
        {
            try
            {
                // Held from here: the relay's sockets are made in it, and a pid reused later could name no other.
                joined = NetworkNamespace.Open(container);
            }
            catch (IOException e)
            {
                await context.WriteAsync($"SSH could not be enabled on this node: its container's network could not be joined ({e.Message}).\n");
                return null;
            }

            // In the container's network, its loopback is the node's own: a forward there reaches nothing of the host's.
            Entry = Entry with { ForwardHosts = ["127.0.0.1", "localhost", .. Entry.ForwardHosts] };
        }

        using var hold = new NamespaceHold(joined);
        IReadOnlyList<string> sshdAddresses = network is null ? options.ListenAddresses : ["127.0.0.1"];
        var failedPorts = new HashSet<int>();
        var problems = new List<string>();
        for (var attempt = 0; attempt < options.MaxPortAttempts; attempt++)
        {
            var port = PortReservations.Reserve(options, failedPorts);
            if (port is null)
            {
                problems.Add($"no free port is left in {options.PortRangeStart}-{options.PortRangeEnd}");
                break;
            }

            IStepProcess process;
            SshdAttempt sshd;
            await keysGate.WaitAsync(canceled);
            try
            {
                NodeSshFiles.WriteAtomically(files.AuthorizedKeysPath, authorizedKeys(files, Entry));
                NodeSshFiles.WriteAtomically(files.ConfigPath, SshdConfigText.Render(port.Value, sshdAddresses, hostKey.PrivateKeyPath, account, files, Entry.ForwardHosts, openAccess));
                (process, sshd) = await StartSshdAsync(host, files, launchEnvironment, port.Value, sshdAddresses.Count, joined, onLine, canceled);
            }
            catch
            {
                PortReservations.Release(port.Value);
                throw;
            }
            finally
            {
                keysGate.Release();
            }

            var outcome = await sshd.Outcome;
            if (outcome == SshdStart.Listening && network is { } pid)
            {
                // sshd has the port in the container's network (a job's listener there would have made it fail): now the
                // runner's side of it, for the users.
                var (relay, relayProblem) = SshdRelay.Start(joined!, options.ListenAddresses, port.Value, timeProvider);
                if (relay is not null)
                {
                    hold.Given = true;
                    _ = process.Exited.ContinueWith(_ => relay.DisposeAsync().AsTask(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    return new SshdLaunch(files, new AuditLog(files.AuditPath), process, sshd, hostKey, account, launchEnvironment, Entry!, commands, relay, NetworkNamespace.SocketTablesOf(pid));
                }

                await process.StopAsync();
                PortReservations.Release(port.Value);
                canceled.ThrowIfCancellationRequested();
                failedPorts.Add(port.Value);
                problems.Add(relayProblem!);
                continue;
            }

            if (outcome == SshdStart.Listening)
            {
                return new SshdLaunch(files, new AuditLog(files.AuditPath), process, sshd, hostKey, account, launchEnvironment, Entry!, commands);
            }

            await process.StopAsync();
            PortReservations.Release(port.Value);
            canceled.ThrowIfCancellationRequested();
            if (outcome == SshdStart.PrivilegeSeparationDirectoryMissing && TryCreatePrivilegeSeparationDirectory(sshd.PrivilegeSeparationDirectory))
            {
                continue;
            }

            failedPorts.Add(port.Value);
            var last = sshd.Output?.RecentLines.LastOrDefault(l => SshdLogLine.Parse(l).Kind != SshdLogKind.SshdPid);
            problems.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"port {port.Value}: {(outcome == SshdStart.TimedOut ? "sshd did not listen in time" : last ?? "sshd ended")}"));
            if (outcome != SshdStart.BindFailed)
            {
                // Not a port problem (a bad config, a missing sshd): another port would fail the same way.
                break;
            }
        }

        await context.WriteAsync("SSH could not be enabled on this node: " + string.Join("; ", problems) + ".\n");
        return null;
    }

    /// <param name="network">The network namespace sshd joins; null: the node's own.</param>
    private async Task<(IStepProcess Process, SshdAttempt Attempt)> StartSshdAsync(
        IExecutorNode node,
        NodeSshFiles files,
        IReadOnlyDictionary<string, string> environment,
        int port,
        int addressCount,
        NetworkNamespace? network,
        Action<SshdAttempt, string> onLine,
        CancellationToken canceled)
    {
        var attempt = new SshdAttempt(port, addressCount);
        attempt.Output = new SshdOutput(line => onLine(attempt, line));
        var process = await node.StartAsync(
            new StepLaunch([options.BashPath, files.SupervisorPath, options.SshdPath, "-D", "-e", "-f", files.ConfigPath], environment, files.Directory)
            {
                AsRunner = true,
                NetworkNamespace = network?.Path,
            },
            attempt.Output,
            canceled);
        _ = process.Exited.ContinueWith(_ => attempt.OnExited(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        using var stopTimer = CancellationTokenSource.CreateLinkedTokenSource(canceled);
        var timeout = Task.Delay(options.StartTimeout, timeProvider, stopTimer.Token);
        if (await Task.WhenAny(attempt.Outcome, timeout) == timeout)
        {
            if (canceled.IsCancellationRequested)
            {
                await process.StopAsync();
                canceled.ThrowIfCancellationRequested();
            }

            attempt.OnTimedOut();
        }

        await stopTimer.CancelAsync();
        return (process, attempt);
    }

    /// <summary>What the ssh service's unit would have made (RuntimeDirectory=sshd): a root sshd refuses to start without it.</summary>
    private static bool TryCreatePrivilegeSeparationDirectory(string? path)
    {
        if (path is null || !Environment.IsPrivilegedProcess || Directory.Exists(path))
        {
            return false;
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return true;
    }

    /// <summary>The variables the node adds to every process it starts (its tag): asked of the node itself, by running <c>env</c> in it.</summary>
    private static async Task<Dictionary<string, string>> NodeVariablesAsync(
        IExecutorNode node,
        IReadOnlyDictionary<string, string> environment,
        string directory,
        CancellationToken canceled)
    {
        var output = new CapturedOutput();
        var process = await node.StartAsync(new StepLaunch(["env", "-0"], environment, directory), output, canceled);
        await process.Exited.WaitAsync(canceled);
        var added = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in output.Text.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && (!environment.TryGetValue(entry[..equals], out var given) || given != entry[(equals + 1)..]))
            {
                added[entry[..equals]] = entry[(equals + 1)..];
            }
        }

        return added;
    }

    private Dictionary<string, string> SessionEnvironment(NodeSectionContext context, Dictionary<string, string> nodeVariables)
    {
        var variables = new Dictionary<string, string>(context.Environment, StringComparer.Ordinal);
        if (context.BashEnvPath is not null && !variables.ContainsKey("BASH_ENV"))
        {
            variables["BASH_ENV"] = context.BashEnvPath;
        }

        foreach (var (name, value) in nodeVariables)
        {
            // The node's tag (PORTHOLE_NODE_TAG) goes to every session: what a session leaves running ends with the node,
            // also when the runner ends a crashed node's leftovers by that tag.
            if (name.StartsWith("PORTHOLE_", StringComparison.Ordinal))
            {
                variables[name] = value;
            }
        }

        variables[ScriptTexts.EndpointVariable] = endpointId;
        return variables;
    }

    /// <summary>The container's network held while sshd starts: closed at the end unless a relay took it.</summary>
    private sealed class NamespaceHold(NetworkNamespace? network) : IDisposable
    {
        public bool Given { get; set; }

        public void Dispose()
        {
            if (!Given)
            {
                network?.Dispose();
            }
        }
    }

    private sealed class CapturedOutput : IStepOutput
    {
        private readonly MemoryStream _bytes = new();

        public string Text => System.Text.Encoding.UTF8.GetString(_bytes.ToArray());

        public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
        {
            _bytes.Write(chunk.Span);
            return ValueTask.CompletedTask;
        }
    }
}
