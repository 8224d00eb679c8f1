using System.Globalization;
using System.Text;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Executors;
using Porthole.Execution.Logging;
using Porthole.Execution.Sections;
using Porthole.Ssh.Debugging;

namespace Porthole.Ssh.Endpoints;

/// <summary>Debug mode (R-DBG-2…7): the same sshd, keys and audit, but every connection lands in one tmux session.</summary>
public sealed partial class NodeSshEndpoint
{
    private static readonly TimeSpan DefaultDebugTimeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan TailInterval = TimeSpan.FromMilliseconds(100);

    private readonly DebugRequest _debugRequest;
    private DebugSession? _debugSession;

    /// <summary>
    /// The "Debug" section of a debug run (<see cref="NodeAssignment.Debug"/>): put it before the steps instead of
    /// Enable/Wait for SSH. It checks out, starts sshd and the tmux session, prints how to connect, and keeps the node
    /// until the last window is exited, the time is up or the job is canceled; the plan's steps are skipped.
    /// </summary>
    public INodeSection Debug { get; }

    /// <summary>How long a debug session may live (<see cref="DebugRequest.Timeout"/>, 30 minutes by default).</summary>
    public TimeSpan DebugTimeout { get; }

    /// <summary>The debug session's tmux socket, once the Debug section has started it (for <c>tmux -S</c>).</summary>
    public string? DebugSocketPath => CurrentDebugSession()?.Files.TmuxSocketPath;

    internal async Task<NodeSectionResult> DebugAsync(NodeSectionContext context, CancellationToken canceled)
    {
        var log = new DebugLog(context);
        await log.WriteAsync($"Debug build initiated by {_debugRequest.RequestedBy}\n");
        DebugSession session;
        Running running;
        if (!ReferenceEquals(context.Node.Host, context.Node))
        {
            // The shared tmux session's shells must be in the container, as the steps were: not yet on this runner.
            await log.WriteAsync("Debug mode is not available for docker jobs on this runner yet: rerun the job with SSH instead, which lands in its container.\n");
            return new NodeSectionResult(StepState.Failed, SkipSteps: true);
        }

        try
        {
            await CheckoutAsync(context, log, canceled);
            await log.WriteAsync("Setting up debug tools.\n");
            var (started, failure) = await StartSshdAsync(context, debug: true, canceled);
            if (started is null)
            {
                return failure!;
            }

            running = started;
            await log.WriteAsync("Preparing debug sessions.\n");
            var steps = DebugSteps.For(
                _assignment,
                context.Node.CheckoutSource(_assignment.RepositoryUrl),
                running.Files.StepsDirectory,
                _options.BashPath,
                directory => string.IsNullOrEmpty(directory) ? context.WorkingDirectory : context.Node.ResolveDirectory(directory, context.WorkingDirectory));
            var texts = new DebugFiles(
                steps,
                DebugScripts.Rc(running.Files, context.BashEnvPath, context.WorkingDirectory, _options.BashPath, steps, _debugRequest.Quiet),
                DebugScripts.Help(_assignment.JobId, _assignment.NodeIndex, steps),
                context.WorkingDirectory);
            NodeSshFiles.WriteAtomically(running.Files.DebugRecordPath, string.Empty);
            WatchFilter.Write(running.Files, _secrets);
            session = await DebugSession.StartAsync(context.Node, running.Files, running.LaunchEnvironment, _options, texts, _debugRequest.Quiet, canceled);
            bool ending;
            lock (_gate)
            {
                ending = _ending;
                _debugSession = session;
            }

            if (ending)
            {
                await session.StopAsync();
                await log.WriteAsync("The node ended before the debug session was ready.\n");
                return new NodeSectionResult(StepState.Canceled, SkipSteps: true);
            }

            await ReportReadyAsync(running, canceled);
        }
        catch (OperationCanceledException) when (canceled.IsCancellationRequested)
        {
            await ShutdownAsync();
            await log.WriteAsync("The job was canceled before the debug session was ready.\n");
            return new NodeSectionResult(StepState.Canceled, SkipSteps: true);
        }
        catch (Exception e) when (e is ExecutorException or InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            await ShutdownAsync();
            await log.WriteAsync($"The debug session could not be set up on this node: {e.Message}\n");
            return new NodeSectionResult(StepState.Failed, SkipSteps: true);
        }

        await log.WriteAsync(DebugDetailsText(running));
        var tails = new[] { new LogTail(running.Files.SessionLogPath, separate: false), new LogTail(running.Files.DebugRecordPath, separate: true) };
        using var stopTailing = new CancellationTokenSource();
        var tailing = TailAsync(tails, log, stopTailing.Token);
        using var keepAlive = _debugRequest.Quiet
            ? _timeProvider.CreateTimer(_ => _ = log.KeepAliveAsync(), null, KeepAliveInterval, KeepAliveInterval)
            : null;

        string reason;
        using (var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(canceled))
        {
            var timeUp = Task.Delay(DebugTimeout, _timeProvider, stopWaiting.Token);
            var canceledTask = Task.Delay(Timeout.InfiniteTimeSpan, stopWaiting.Token);
            var first = await Task.WhenAny(session.Server.Exited, timeUp, canceledTask);
            reason = first == session.Server.Exited
                ? "the last window was exited."
                : canceled.IsCancellationRequested ? "the job was canceled." : $"{DurationText.Format(DebugTimeout)} are up.";
            await stopWaiting.CancelAsync();
        }

        if (keepAlive is not null)
        {
            await keepAlive.DisposeAsync();
        }

        await ShutdownAsync();
        await stopTailing.CancelAsync();
        await tailing;
        await log.WriteAsync("All remaining steps, including caching and deploy, will be skipped.\n", newLine: true);
        var message = $"The debug session ended: {reason}";
        await log.WriteAsync(message + "\n");
        await _reports.DrainAsync();
        return new NodeSectionResult(StepState.Success, SkipSteps: true, message);
    }

    private DebugSession? CurrentDebugSession()
    {
        lock (_gate)
        {
            return _debugSession;
        }
    }

    /// <summary>
    /// The plan's checkout steps, as the runner runs them (nothing else of the plan runs in a debug build): the
    /// session starts in a checked-out workspace. A failed checkout is told, and the session starts anyway.
    /// </summary>
    private async Task CheckoutAsync(NodeSectionContext context, DebugLog log, CancellationToken canceled)
    {
        foreach (var step in _assignment.Job.Steps.Where(s => s.Kind == StepKind.Checkout))
        {
            await log.WriteAsync($"Checking out code ({step.Name}).\n");
            if (!Execution.Steps.CheckoutCommands.IsCommitId(_assignment.CommitSha))
            {
                await log.WriteAsync($"'{_assignment.CommitSha}' is not a commit id; the session starts without a checkout.\n");
                continue;
            }

            var directory = string.IsNullOrEmpty(step.WorkingDirectory)
                ? context.WorkingDirectory
                : context.Node.ResolveDirectory(step.WorkingDirectory, context.WorkingDirectory);
            await context.Node.CreateDirectoryAsync(directory, canceled);
            var environment = new Dictionary<string, string>(context.Environment, StringComparer.Ordinal);
            foreach (var variable in step.Environment)
            {
                environment[variable.Name] = variable.Value;
            }

            environment["GIT_TERMINAL_PROMPT"] = "0";
            environment.TryAdd("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
            var alreadyCloned = await context.Node.ExistsAsync(Path.Combine(directory, ".git"), canceled);
            foreach (var command in Execution.Steps.CheckoutCommands.For(context.Node.CheckoutSource(_assignment.RepositoryUrl), _assignment.CommitSha, _assignment.Branch, _assignment.Dialect, alreadyCloned))
            {
                await log.WriteAsync("$ " + string.Join(' ', command) + "\n", newLine: true);
                var process = await context.Node.StartAsync(new StepLaunch(command, environment, directory), log, canceled);
                var code = await process.Exited.WaitAsync(canceled);
                if (code != 0)
                {
                    await log.WriteAsync(
                        string.Create(CultureInfo.InvariantCulture, $"The checkout failed (exit code {code}); the session starts without it.\n"),
                        newLine: true);
                    break;
                }
            }
        }
    }

    private static async Task TailAsync(IReadOnlyList<LogTail> tails, DebugLog log, CancellationToken stop)
    {
        while (true)
        {
            foreach (var tail in tails)
            {
                await tail.PumpAsync(log);
            }

            if (stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                // The files are polled on the real clock: this only forwards what tmux wrote, it decides nothing.
                await Task.Delay(TailInterval, TimeProvider.System, stop);
            }
            catch (OperationCanceledException)
            {
                // One more pump reads what was written last.
            }
        }
    }

    private string DebugDetailsText(Running running)
    {
        var info = running.Info;
        var command = string.Create(CultureInfo.InvariantCulture, $"ssh -p {info.Port} {info.User}@{info.Host}");
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line("Use the following SSH command to access the interactive debugging environment:");
        Line(command);
        if (_debugRequest.Quiet)
        {
            Line("This build is running in quiet mode. No session output will be displayed.");
        }

        Line($"This debug build will stay alive for {AliveText(DebugTimeout)}.");
        Line();
        Line($"{running.HostKey.PublicKey.TypeLabel} key fingerprint of the host is");
        Line($"  {info.HostKeyFingerprint}");
        Line("Keys accepted on this node:");
        var grants = CurrentGrants();
        if (grants.Count == 0)
        {
            Line("  none for now; add a key to your account with `porthole keys add`.");
        }

        foreach (var grant in grants)
        {
            Line(grant.ReadOnly
                ? $"  {grant.Fingerprint} {grant.Key.TypeLabel} ({grant.UserName}, read-only: watches, cannot type)"
                : $"  {grant.Fingerprint} {grant.Key.TypeLabel} ({grant.UserName})");
        }

        if (running.OpenAccess && !OpenAccessEnded())
        {
            Line("This project lets anyone with the ssh command in (debug_open_access), whatever their key: that command carries");
            Line("the session's token, so it is not in this log; the project's writers get it from");
            Line(string.Create(CultureInfo.InvariantCulture, $"`porthole debug {_assignment.JobId} --no-connect` or the job's SSH panel. Switching debug_open_access"));
            Line("(or debug_enabled) off ends the sessions it let in and refuses that command for the rest of this run;");
            Line("cancel the job to end every session.");
        }

        Line("Every connection joins the same terminal session (tmux): what one types, the others see.");
        Line($"To watch without typing: {command} -t -- watch");
        Line("Whoever only watches sees the job's secret variables masked, as in this log.");
        Line("The easy way: the Porthole CLI connects with the right port, user and key, and pins the host key:");
        Line(string.Create(CultureInfo.InvariantCulture, $"    $ porthole ssh {_assignment.JobId} --node {_assignment.NodeIndex}"));
        Line(string.Create(CultureInfo.InvariantCulture, $"(`porthole debug {_assignment.JobId} [--quiet]` starts another debug build of this job.)"));
        return text.ToString();
    }

    private static string AliveText(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerMinute == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMinutes} minute{(duration == TimeSpan.FromMinutes(1) ? string.Empty : "s")}")
            : DurationText.Format(duration);

    /// <summary>The section's writes, one at a time, knowing whether the log stands at a line's start (the tails interleave).</summary>
    private sealed class DebugLog(NodeSectionContext context) : IStepOutput
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private bool _atLineStart = true;

        /// <param name="newLine">Start on a line of its own.</param>
        public async ValueTask WriteAsync(string text, bool newLine = false)
        {
            if (text.Length == 0)
            {
                return;
            }

            await _gate.WaitAsync(CancellationToken.None);
            try
            {
                if (newLine && !_atLineStart)
                {
                    text = "\n" + text;
                }

                await context.WriteAsync(text);
                _atLineStart = text.EndsWith('\n');
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task KeepAliveAsync() => await WriteAsync(".");

        ValueTask IStepOutput.WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) =>
            WriteAsync(Encoding.UTF8.GetString(chunk.Span));
    }

    /// <summary>Reads what was appended to a file since the last read, whole characters only.</summary>
    private sealed class LogTail(string path, bool separate)
    {
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
        private readonly byte[] _buffer = new byte[16 * 1024];
        private long _offset;

        public async Task PumpAsync(DebugLog log)
        {
            try
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.Seek(_offset, SeekOrigin.Begin);
                int read;
                while ((read = await stream.ReadAsync(_buffer)) > 0)
                {
                    _offset += read;
                    var chars = new char[_decoder.GetCharCount(_buffer, 0, read)];
                    _decoder.GetChars(_buffer, 0, read, chars, 0);
                    await log.WriteAsync(new string(chars), newLine: separate);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not there (yet, or any more): nothing to forward.
            }
        }
    }
}

/// <summary>"Debug", the section of a debug build (R-DBG-2): instead of the steps, a shared tmux session to run them by hand.</summary>
internal sealed class DebugSection(NodeSshEndpoint endpoint) : INodeSection
{
    public string Name => "Debug";

    public Task<NodeSectionResult> RunAsync(NodeSectionContext context, CancellationToken canceled)
    {
        ArgumentNullException.ThrowIfNull(context);
        return endpoint.DebugAsync(context, canceled);
    }
}
