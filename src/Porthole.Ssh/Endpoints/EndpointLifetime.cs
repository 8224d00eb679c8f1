using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Executors;
using Porthole.Execution.Sections;
using Porthole.Ssh.Debugging;
using Porthole.Ssh.Recording;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// Starts one node's sshd (<see cref="SshdLauncher"/>) and watches its sessions; ends it, every session and the debug
/// session once, however many ask (R-SSH-9), and gives its port back. With the project's <c>session_recording</c>
/// (R-BEY-2) it keeps the sessions' recordings (<see cref="SessionRecordings"/>), the last ones once everything ended.
/// </summary>
internal sealed class EndpointLifetime(
    EndpointState state,
    SshConnections connections,
    EndpointSessions sessions,
    EndpointGrants grants,
    SshOptions options,
    string endpointId,
    TimeProvider timeProvider,
    EndpointRecording recording)
{
    /// <summary>At most this of a canceled section's grace (5 s, the node's) goes to the debug recorder's catching up.</summary>
    private static readonly TimeSpan DebugRecorderCatchUp = TimeSpan.FromSeconds(2);

    private SessionRecordings? _recordings;
    private DebugRecorder? _debugRecorder;

    /// <summary>What became of the sessions' recordings, for the log, once the endpoint has shut down; null when none was made.</summary>
    public string? RecordingText
    {
        get
        {
            var uploaded = (_recordings?.Uploaded ?? 0) + (_debugRecorder?.Uploaded ?? 0);
            IEnumerable<string> problems = [.. _recordings?.Problems ?? [], .. _debugRecorder?.Problems ?? []];
            if (uploaded == 0 && !problems.Any())
            {
                return null;
            }

            var text = uploaded switch
            {
                0 => string.Empty,
                1 => "1 session recording is kept with the job (on its page).\n",
                var n => $"{n} session recordings are kept with the job (on its page).\n",
            };
            return text + string.Concat(problems.Select(p => $"A session recording was not kept: {p}.\n"));
        }
    }

    /// <summary>Starts sshd and watches its sessions; the endpoint is not reported ready yet. Null and why when it could not.</summary>
    /// <param name="debug">A debug run's request (its sessions land in tmux, and it may be open to anyone); null for a rerun with SSH.</param>
    public async Task<(Running? Running, NodeSectionResult? Failure)> StartAsync(NodeSectionContext context, DebugRequest? debug, CancellationToken canceled)
    {
        var openAccessToken = debug is not null && !state.OpenAccessEnded ? debug.OpenAccessToken : null;
        if (openAccessToken is not null)
        {
            // Before sshd listens: a key it lets in through open access must not be taken for a revoked one.
            connections.AllowOpenAccess();
        }

        // A debug run's shared session is recorded by the runner's own tmux client (RecordDebugAsync), not by script.
        var launcher = new SshdLauncher(options, endpointId, timeProvider, debug is not null, openAccessToken, recording.Record && debug is null);
        var launch = await launcher.LaunchAsync(context, grants.AuthorizedKeys, grants.Gate, sessions.OnSshdLine, canceled);
        if (launch is null)
        {
            return (null, new NodeSectionResult(StepState.Failed, SkipSteps: debug is not null));
        }

        if (launch.Relay is { } relay)
        {
            connections.ClientOf = relay.ClientOf;
        }

        var info = new SshEndpointInfo(
            options.AdvertisedHost,
            launch.Sshd.Port,
            launch.Account,
            launch.HostKey.PublicLine,
            launch.HostKey.Fingerprint,
            [.. state.Grants.Select(g => g.Fingerprint)])
        {
            WorkingDirectory = context.WorkingDirectory,
        };
        var running = new Running(launch, info) { OpenAccess = launcher.OpenAccess };
        var (ending, openAccessEnded) = state.SetRunning(running);
        if (openAccessEnded && running.OpenAccess)
        {
            // Open access ended while sshd started: the heartbeat that ended it found no token to remove.
            grants.RemoveOpenAccessToken(running);
        }

        if (ending)
        {
            await StopAsync(running);
            await context.WriteAsync("The node ended before SSH was ready.\n");
            return (null, new NodeSectionResult(StepState.Canceled, SkipSteps: debug is not null));
        }

        running.Watch(sessions.ApplyAudit, sessions.ProbeConnections, timeProvider, options.LivenessInterval);
        if (launcher.Recording)
        {
            _recordings = new SessionRecordings(launch.Files, connections, recording.Secrets, recording.Sink, timeProvider);
            _recordings.Start();
            await context.WriteAsync("Interactive sessions on this node are recorded (the project's session_recording), with the job's secrets masked; the recordings are kept with the job, on its page.\n");
        }
        else if (recording.Record && debug is not null)
        {
            await context.WriteAsync("The debug session is recorded (the project's session_recording): each writer's time in it, as the window showed it, with the job's secrets masked; the recordings are kept with the job, on its page.\n");
        }
        else if (recording.Record)
        {
            await context.WriteAsync($"Sessions on this node are not recorded: the runner's host has no {ScriptTexts.RecordingScriptPath} (util-linux's bsdutils).\n");
        }

        return (running, null);
    }

    /// <summary>
    /// With the project's <c>session_recording</c>, starts recording the debug session's writers (<see cref="DebugRecorder"/>):
    /// call it once the session is set and before the endpoint is reported ready. A recorder that cannot start is said in the log.
    /// </summary>
    public async Task RecordDebugAsync(DebugSession session, NodeSectionContext context, CancellationToken canceled)
    {
        if (!recording.Record)
        {
            return;
        }

        var recorder = new DebugRecorder(session, connections, recording.Secrets, recording.Sink, timeProvider);
        try
        {
            await recorder.StartAsync(canceled);
            _debugRecorder = recorder;
        }
        catch (Exception e) when (e is ExecutorException or InvalidOperationException or IOException)
        {
            await context.WriteAsync($"The debug session is not recorded: its recorder could not start: {e.Message}\n");
        }
    }

    /// <summary>Ends sshd, every session and the debug session, once; later calls wait for that. The endpoint is ending from now on.</summary>
    public Task ShutdownAsync() => state.End(ShutdownOnceAsync);

    private async Task ShutdownOnceAsync()
    {
        if (_debugRecorder is { } catchingUp)
        {
            // What tmux told of the writers is read while their clients are still there to be named.
            await catchingUp.CatchUpAsync(DebugRecorderCatchUp);
        }

        if (state.Running is { } running)
        {
            await StopAsync(running);
        }

        if (state.DebugSession is { } session)
        {
            await session.StopAsync();
        }

        if (_debugRecorder is { } debugRecorder)
        {
            await debugRecorder.FinishAsync();
        }

        await sessions.ClosedAsync();
        if (_recordings is { } recordings)
        {
            await recordings.FinishAsync();
        }
    }

    /// <summary>Ends sshd, every connection and every session process of this endpoint, and reports the sessions ended (R-SSH-9).</summary>
    private async Task StopAsync(Running running)
    {
        running.StopWatching();
        sessions.ApplyAudit();
        await sessions.EndAllAsync(running);
        await running.Process.StopAsync();
        if (running.Relay is { } relay)
        {
            await relay.DisposeAsync();
        }

        sessions.MarkAllEnded();
        PortReservations.Release(running.Info.Port);
    }
}

/// <summary>Whether a node's sessions are recorded (the project's <c>session_recording</c>, R-BEY-2), what to mask in them, and where they go.</summary>
internal sealed record EndpointRecording(bool Record, SecretPatterns Secrets, ISshEventSink Sink);
