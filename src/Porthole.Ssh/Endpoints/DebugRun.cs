using System.Globalization;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Executors;
using Porthole.Execution.Sections;
using Porthole.Ssh.Debugging;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// What the Debug section of a debug run does (R-DBG-2…7): checks out, starts the endpoint's sshd and one tmux session
/// every connection lands in, echoes the session into the log (or a keep-alive dot), and keeps the node until the last
/// window is exited, the time is up (<see cref="DebugLimit"/>: extended or released, R-BEY-4) or the job is canceled.
/// </summary>
internal sealed class DebugRun(
    NodeAssignment assignment,
    SshRequest ssh,
    EndpointState state,
    EndpointGrants grants,
    EndpointLifetime lifetime,
    SshOptions options,
    SecretPatterns secrets,
    DebugLimit limit,
    ReportQueue reports,
    TimeProvider timeProvider)
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan TailInterval = TimeSpan.FromMilliseconds(100);

    private readonly DebugRequest _request = assignment.Debug ?? new DebugRequest(ssh.RequestedBy, Quiet: false, limit.SessionTimeout);

    public async Task<NodeSectionResult> RunAsync(NodeSectionContext context, CancellationToken canceled)
    {
        var log = new DebugLog(context);
        await log.WriteAsync($"Debug build initiated by {_request.RequestedBy}\n");
        var stoppedAt = StoppedAt(context);
        if (stoppedAt is not null)
        {
            await log.WriteAsync($"Stopped {stoppedAt} (a breakpoint): the steps before it ran as usual.\n");
        }

        DebugSession session;
        Running running;
        DebugPlacement placement;
        List<DebugStep> steps;
        string continuePath;
        try
        {
            if (!_request.HasBreakpoint)
            {
                await CheckoutAsync(context, log, canceled);
            }

            await log.WriteAsync("Setting up debug tools.\n");
            var (started, failure) = await lifetime.StartAsync(context, _request, canceled);
            if (started is null)
            {
                return failure!;
            }

            running = started;
            await log.WriteAsync("Preparing debug sessions.\n");
            // The windows' shells are where the steps ran: the node itself, or its container behind the node's door.
            placement = DebugPlacement.For(context.Node, running.Files, running.Entry, options.BashPath, _request.Quiet);
            steps = DebugSteps.For(
                assignment,
                await context.Node.CheckoutSourceAsync(assignment.RepositoryUrl, canceled),
                placement.StepPath,
                placement.Shell,
                directory => string.IsNullOrEmpty(directory) ? context.WorkingDirectory : context.Node.ResolveDirectory(directory, context.WorkingDirectory),
                placement.RequestPath,
                context.Node.StepShell);
            continuePath = placement.RequestPath("continue");
            await placement.ResetRequestAsync(continuePath, canceled);
            var texts = new DebugFiles(
                steps,
                // The lifecycle's commands without the prompt's notices: tmux shows those to every client.
                DebugScripts.Rc(placement, context.BashEnvPath, context.WorkingDirectory, steps, continuePath, running.Commands.Rc(bash: false)),
                DebugScripts.Help(assignment.JobId, assignment.NodeIndex, steps, stoppedAt),
                context.WorkingDirectory);
            NodeSshFiles.WriteAtomically(running.Files.DebugRecordPath, string.Empty);
            WatchFilter.Write(running.Files, secrets);
            session = await DebugSession.StartAsync(context.Node.Host, running.Files, running.LaunchEnvironment, options, texts, placement, _request.Quiet, canceled);
            if (state.SetDebugSession(session))
            {
                await session.StopAsync();
                await log.WriteAsync("The node ended before the debug session was ready.\n");
                return new NodeSectionResult(StepState.Canceled, SkipSteps: true);
            }

            await lifetime.RecordDebugAsync(session, context, canceled);
            await grants.ReportReadyAsync(running, canceled);
        }
        catch (OperationCanceledException) when (canceled.IsCancellationRequested)
        {
            await lifetime.ShutdownAsync();
            await log.WriteAsync("The job was canceled before the debug session was ready.\n");
            return new NodeSectionResult(StepState.Canceled, SkipSteps: true);
        }
        catch (Exception e) when (e is ExecutorException or InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            await lifetime.ShutdownAsync();
            await log.WriteAsync($"The debug session could not be set up on this node: {e.Message}\n");
            return new NodeSectionResult(StepState.Failed, SkipSteps: true);
        }

        await log.WriteAsync(DebugDetailsText.Render(
            running.Info,
            running.HostKey.PublicKey.TypeLabel,
            assignment.JobId,
            assignment.NodeIndex,
            _request.Quiet,
            limit.SessionTimeout,
            limit.Cap,
            state.Grants,
            running.OpenAccess && !state.OpenAccessEnded));
        var tails = new[] { new LogTail(running.Files.SessionLogPath, separate: false), new LogTail(placement.RecordHostPath ?? running.Files.DebugRecordPath, separate: true) };
        using var stopTailing = new CancellationTokenSource();
        var tailing = TailAsync(tails, log, stopTailing.Token);

        // The typed steps' functions ask the runner to run them; it answers while the session lives (a cancel stops a step that runs).
        using var stopRequests = CancellationTokenSource.CreateLinkedTokenSource(canceled);
        var requests = new DebugStepRequests(assignment, context, placement, steps, log, timeProvider).RunAsync(stopRequests.Token);
        using var keepAlive = _request.Quiet
            ? timeProvider.CreateTimer(_ => _ = log.KeepAliveAsync(), null, KeepAliveInterval, KeepAliveInterval)
            : null;

        // The section's last words: why the session ended; null for porthole-continue.
        string? message;
        using (var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(canceled))
        {
            var limited = limit.RunAsync(session, log, running.Commands, stopWaiting.Token);
            var canceledTask = Task.Delay(Timeout.InfiniteTimeSpan, stopWaiting.Token);
            var continued = ContinueRequestedAsync(placement.HostPathOf(continuePath), stopWaiting.Token);
            var first = await Task.WhenAny(session.Server.Exited, limited, canceledTask, continued);
            message = first == session.Server.Exited
                ? "The debug session ended: the last window was exited."
                : canceled.IsCancellationRequested ? "The debug session ended: the job was canceled." : first == continued ? null : await limited;
            await stopWaiting.CancelAsync();
            try
            {
                await continued;
            }
            catch (OperationCanceledException)
            {
            }

            // The limit reports that the session no longer waits.
            await limited;
        }

        if (keepAlive is not null)
        {
            await keepAlive.DisposeAsync();
        }

        await stopRequests.CancelAsync();
        await requests;
        await lifetime.ShutdownAsync();
        await stopTailing.CancelAsync();
        await tailing;
        if (lifetime.RecordingText is { } recordings)
        {
            await log.WriteAsync(recordings, newLine: true);
        }

        if (message is null)
        {
            // porthole-continue (R-BEY-4): the session is over, and the steps left run as a normal run would.
            await log.WriteAsync("porthole-continue: the debug session ended; the steps left run unattended.\n", newLine: true);
            await reports.DrainAsync();
            return new NodeSectionResult(StepState.Success);
        }

        await log.WriteAsync("All remaining steps, including caching and deploy, will be skipped.\n", newLine: true);
        await log.WriteAsync(message + "\n");
        await reports.DrainAsync();
        return new NodeSectionResult(StepState.Success, SkipSteps: true, message);
    }

    private static readonly TimeSpan ContinuePollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Where a breakpoint stopped the steps, in words; null for a debug run that runs no step first.</summary>
    private string? StoppedAt(NodeSectionContext context)
    {
        if (context.StepIndex is not { } index || index < 0 || index >= assignment.Job.Steps.Count)
        {
            return null;
        }

        var name = assignment.Job.Steps[index].Name;
        return context.JobFailed
            ? string.Create(CultureInfo.InvariantCulture, $"after step {index} ({name}) failed")
            : string.Create(CultureInfo.InvariantCulture, $"before step {index} ({name})");
    }

    /// <summary>Completes once a window has run <c>porthole-continue</c> (a nonce in its request file).</summary>
    private async Task ContinueRequestedAsync(string hostPath, CancellationToken stop)
    {
        while (DebugStepRequests.ReadNonce(hostPath) is null)
        {
            // Polled on the real clock, as the typed steps' requests are: it decides nothing about time.
            await Task.Delay(ContinuePollInterval, TimeProvider.System, stop);
        }
    }

    /// <summary>
    /// The plan's checkout steps, as the runner runs them (nothing else of the plan runs in a debug build): the
    /// session starts in a checked-out workspace. A failed checkout is told, and the session starts anyway.
    /// </summary>
    private async Task CheckoutAsync(NodeSectionContext context, DebugLog log, CancellationToken canceled)
    {
        foreach (var step in assignment.Job.Steps.Where(s => s.Kind == StepKind.Checkout))
        {
            await log.WriteAsync($"Checking out code ({step.Name}).\n");
            if (!Execution.Steps.CheckoutCommands.IsCommitId(assignment.CommitSha))
            {
                await log.WriteAsync($"'{assignment.CommitSha}' is not a commit id; the session starts without a checkout.\n");
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
            foreach (var command in Execution.Steps.CheckoutCommands.For(await context.Node.CheckoutSourceAsync(assignment.RepositoryUrl, canceled), assignment.CommitSha, assignment.Branch, assignment.Dialect, alreadyCloned, step.Checkout))
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
}
