using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Executors;
using Porthole.Execution.Sections;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// What the sections of a rerun with SSH do: Enable SSH (<see cref="EnableSshSection"/>) starts sshd and prints how to
/// connect; Wait for SSH (<see cref="WaitForSshSection"/>) keeps the node while the Wait for SSH rules say so (R-SSH-8),
/// then ends sshd and every session.
/// </summary>
internal sealed class RerunSections(
    NodeAssignment assignment,
    SshRequest request,
    EndpointState state,
    SshConnections connections,
    EndpointGrants grants,
    EndpointLifetime lifetime,
    ReportQueue reports,
    ISshEventSink sink,
    TimeProvider timeProvider)
{
    private static readonly TimeSpan DefaultFirstConnectionTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DefaultMaxSessionTime = TimeSpan.FromHours(2);
    private readonly CancellationTokenSource _commandsStop = new();
    private Func<string, ValueTask>? _write;
    private readonly Lock _waitGate = new();
    private SshWait? _wait;
    private Task _commands = Task.CompletedTask;

    public TimeSpan FirstConnectionTimeout { get; } =
        request.FirstConnectionTimeout > TimeSpan.Zero ? request.FirstConnectionTimeout : DefaultFirstConnectionTimeout;

    public TimeSpan MaxSessionTime { get; } = request.MaxSessionTime > TimeSpan.Zero ? request.MaxSessionTime : DefaultMaxSessionTime;

    /// <summary>The Wait for SSH rules with the session's lifecycle (R-BEY-4): extensions up to the cap, the grace after the last session.</summary>
    /// <remarks>Made once, under a lock: a heartbeat's extension, the sessions' requests and the section may all come first.</remarks>
    public SshWait Wait
    {
        get
        {
            lock (_waitGate)
            {
                return _wait ??= new SshWait(
                    connections,
                    timeProvider,
                    new SshWaitRules(FirstConnectionTimeout, MaxSessionTime, request.ExtendCap > MaxSessionTime ? request.ExtendCap : MaxSessionTime, request.GracePeriod)
                    {
                        JobId = assignment.JobId,
                    },
                    window => reports.DeliverAsync(() => sink.WindowAsync(window), CancellationToken.None),
                    NoticeAsync);
            }
        }
    }

    /// <summary>A notice before the node's end: into the log while Wait for SSH runs, and to the sessions' next prompt; null takes the last one back.</summary>
    private async Task NoticeAsync(string? text)
    {
        if (_write is { } write && text is not null)
        {
            await write(text + "\n");
        }

        if (state.Running is { } running)
        {
            await running.Commands.NoticeAsync(text);
        }
    }

    /// <summary>Stops answering the sessions' porthole-extend and porthole-release. Idempotent.</summary>
    public async Task StopCommandsAsync()
    {
        if (!_commandsStop.IsCancellationRequested)
        {
            await _commandsStop.CancelAsync();
        }

        await _commands;
    }

    public async Task<NodeSectionResult> EnableAsync(NodeSectionContext context, CancellationToken canceled)
    {
        try
        {
            if (request.HoldOnFailure)
            {
                // R-BEY-1: the job's result is the steps' from now on (failed), on the server too, before sshd starts.
                var held = context.StepsResult ?? new NodeCompletion(NodeResult.Failed, null);
                await context.WriteAsync(HoldText(held));
                await reports.DeliverAsync(() => sink.NodeHeldAsync(held), canceled);
            }

            var (running, failure) = await lifetime.StartAsync(context, debug: null, canceled);
            if (running is null)
            {
                return failure!;
            }

            await grants.ReportReadyAsync(running, canceled);
            _commands = running.Commands.RunAsync(Wait, _commandsStop.Token);

            await context.WriteAsync(DetailsText(running, context.WorkingDirectory));
            return new NodeSectionResult(StepState.Success);
        }
        catch (OperationCanceledException) when (canceled.IsCancellationRequested)
        {
            await lifetime.ShutdownAsync();
            await context.WriteAsync("The job was canceled before SSH was enabled.\n");
            return new NodeSectionResult(StepState.Canceled);
        }
        catch (Exception e) when (e is ExecutorException or InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            await lifetime.ShutdownAsync();
            await context.WriteAsync($"SSH could not be enabled on this node: {e.Message}\n");
            return new NodeSectionResult(StepState.Failed);
        }
    }

    public async Task<NodeSectionResult> WaitAsync(NodeSectionContext context, CancellationToken canceled)
    {
        if (state.Running is not { } running)
        {
            await context.WriteAsync("SSH was not enabled on this node (see Enable SSH); there is nothing to wait for.\n");
            await lifetime.ShutdownAsync();
            return new NodeSectionResult(StepState.Skipped);
        }

        var start = timeProvider.GetUtcNow();
        await context.WriteAsync(DetailsText(running, context.WorkingDirectory));
        _write = context.WriteAsync;
        var reason = await Wait.RunAsync(start, canceled);
        _write = null;
        await StopCommandsAsync();
        await context.WriteAsync(reason + "\n");
        await lifetime.ShutdownAsync();
        if (lifetime.RecordingText is { } recordings)
        {
            await context.WriteAsync(recordings);
        }

        await reports.DrainAsync();
        return new NodeSectionResult(StepState.Success);
    }

    private static string HoldText(NodeCompletion held) =>
        (held.Message is { Length: > 0 } message ? message + "\n" : string.Empty)
        + "This node is held for SSH (hold on failure): no further step runs, and the job's status stays "
        + (held.Result == NodeResult.TimedOut ? "timedout" : "failed")
        + ". Enter the node as the failed step left it: its files, processes and services are still there.\n\n";

    private string DetailsText(Running running, string workingDirectory) =>
        ConnectionDetailsText.Render(
            running.Info,
            running.HostKey.PublicKey.TypeLabel,
            assignment.JobId,
            assignment.NodeIndex,
            FirstConnectionTimeout,
            MaxSessionTime,
            state.Grants,
            workingDirectory)
        + $"In a session: porthole-extend [30m] keeps this node longer (at most {Execution.Logging.DurationText.Format(Wait.Rules.Cap)} after the first connection), porthole-release ends it now.\n";
}
