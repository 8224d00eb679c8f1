using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Executors;
using Porthole.Execution.Sections;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The SSH endpoint of one node asked for with SSH (R-SSH-2…11): a real OpenSSH sshd on a port of its own, started by
/// <see cref="EnableSsh"/> (the node's first section) and ended by <see cref="WaitForSsh"/> (its last) once the Wait for
/// SSH rules say so. Every offered key and every session is reported to the <see cref="ISshEventSink"/>.
/// The runner calls <see cref="UpdateKeysAsync"/> with the keys accepted now after each heartbeat, and whether a debug
/// run's open access still is; a key that is no longer accepted is refused from then on and its open sessions are closed
/// at once, and so are open access and its sessions; the endpoint is then reported again with the keys it accepts now.
/// <see cref="EndSessionsAsync"/> closes the connections an admin ended. Sessions' commands are reported with the job's
/// secrets masked (<see cref="SecretPatterns"/>). Dispose it when the node is done.
/// </summary>
public sealed partial class NodeSshEndpoint : IAsyncDisposable
{
    private static readonly TimeSpan DefaultFirstConnectionTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DefaultMaxSessionTime = TimeSpan.FromHours(2);

    private readonly NodeAssignment _assignment;
    private readonly SshOptions _options;
    private readonly ISshEventSink _sink;
    private readonly TimeProvider _timeProvider;
    private readonly string _endpointId = Guid.NewGuid().ToString("N");
    private readonly ReportQueue _reports = new();
    private readonly SshConnections _connections;
    private readonly SecretPatterns _secrets;
    private readonly SemaphoreSlim _keysGate = new(1, 1);
    private readonly Lock _gate = new();
    private readonly List<Task> _closing = [];
    private IReadOnlyList<KeyGrant> _grants;
    private Running? _running;
    private bool _ending;
    private bool _readyReported;
    private bool _openAccessEnded;
    private Task? _shutdown;

    public NodeSshEndpoint(NodeAssignment assignment, SshOptions options, ISshEventSink sink, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var request = assignment.Ssh
            ?? throw new ArgumentException($"Node {assignment.NodeId} was not asked for with SSH (its assignment has no SSH request).", nameof(assignment));
        options.Validate();
        _assignment = assignment;
        _options = options;
        _sink = sink;
        _timeProvider = timeProvider;
        FirstConnectionTimeout = request.FirstConnectionTimeout > TimeSpan.Zero ? request.FirstConnectionTimeout : DefaultFirstConnectionTimeout;
        MaxSessionTime = request.MaxSessionTime > TimeSpan.Zero ? request.MaxSessionTime : DefaultMaxSessionTime;
        _grants = KeyGrant.From(request.Keys);
        _secrets = SecretPatterns.Of(assignment.Variables);
        _connections = new SshConnections(timeProvider, e => _reports.Post(() => _sink.EventAsync(e)), _secrets);
        _connections.SetGrants(_grants);
        EnableSsh = new EnableSshSection(this);
        WaitForSsh = new WaitForSshSection(this);
        _debugRequest = assignment.Debug ?? new DebugRequest(request.RequestedBy, Quiet: false, DefaultDebugTimeout);
        DebugTimeout = _debugRequest.Timeout > TimeSpan.Zero ? _debugRequest.Timeout : DefaultDebugTimeout;
        Debug = new DebugSection(this);
    }

    /// <summary>The "Enable SSH" section: starts sshd and prints how to connect. Put it before the node's first step.</summary>
    public INodeSection EnableSsh { get; }

    /// <summary>The "Wait for SSH" section: keeps the node while the Wait for SSH rules say so, then ends sshd and every session. Put it after the last step.</summary>
    public INodeSection WaitForSsh { get; }

    public TimeSpan FirstConnectionTimeout { get; }

    public TimeSpan MaxSessionTime { get; }

    /// <summary>Where sshd listens, once Enable SSH has started it.</summary>
    public SshEndpointInfo? Info => CurrentRunning()?.Info;

    /// <summary>Connections that passed authentication and have not closed.</summary>
    public int OpenSessionCount => _connections.OpenCount;

    /// <summary>
    /// Replaces the keys accepted on this node: authorized_keys is rewritten at once (a new connection with a removed
    /// key is refused, one with a key now read-only only watches), and the open sessions of removed keys, and those that
    /// can type of keys now read-only, are closed before this returns (R-SSH-11, R-DBG-7). When the accepted keys changed
    /// after the endpoint was reported ready, it is reported again with them, once authorized_keys lets them in.
    /// </summary>
    /// <param name="openAccess">
    /// Whether a debug run open to anyone with its ssh command still is (R-DBG-7's opt-in: the project's
    /// <c>debug_open_access</c> and <c>debug_enabled</c> on, the run not canceled). False ends it for the rest of the run,
    /// as a revoked key is ended: the token file goes first (the attach script then refuses the token), then every open
    /// session let in by it is closed. True changes nothing: open access that ended does not come back.
    /// </param>
    public async Task UpdateKeysAsync(IReadOnlyList<SshGrant> keys, bool openAccess = true)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var grants = KeyGrant.From(keys);
        await _keysGate.WaitAsync();
        try
        {
            Running? running;
            lock (_gate)
            {
                _grants = grants;
                _openAccessEnded |= !openAccess;
                running = _ending ? null : _running;
            }

            if (!openAccess)
            {
                _connections.EndOpenAccess();
                if (running is not null)
                {
                    RemoveOpenAccessToken(running);
                }
            }

            if (running is not null)
            {
                try
                {
                    NodeSshFiles.WriteAtomically(running.Files.AuthorizedKeysPath, AuthorizedKeysText.Render(grants, _options.BashPath, running.Files.AttachScriptPath));
                }
                catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && IsEnding())
                {
                    // The node ended meanwhile and its folder went with it: nothing is left to grant.
                    return;
                }
            }

            var revoked = _connections.SetGrants(grants);
            if (running is not null)
            {
                // Sessions that started a moment ago may not be known yet: their audit lines name their processes.
                var closing = revoked.Concat(_connections.OnAudit(running.Audit.ReadNew())).Distinct().ToList();
                await Task.WhenAll(closing.Select(c => CloseAsync(running, c)));
                var reported = ReportAcceptedKeys(running, grants);
                if (closing.Count > 0 || reported)
                {
                    await _reports.DrainAsync();
                }
            }
        }
        finally
        {
            _keysGate.Release();
        }
    }

    /// <summary>
    /// Closes the named connections that are open, as a revoked key's are: an admin ended their sessions (R-DBG-7).
    /// Connections that are not open (ended already, or never here) are left alone; returns once the closed ones' ends
    /// are reported.
    /// </summary>
    public async Task EndSessionsAsync(IReadOnlyList<SshConnectionRef> connections)
    {
        ArgumentNullException.ThrowIfNull(connections);
        if (connections.Count == 0)
        {
            return;
        }

        await _keysGate.WaitAsync();
        try
        {
            if (IsEnding() || CurrentRunning() is not { } running)
            {
                return;
            }

            // Sessions that started a moment ago may not be known yet: their audit lines name their processes.
            var closing = _connections.OnAudit(running.Audit.ReadNew())
                .Concat(_connections.Open.Where(c => connections.Any(r => r.Address == c.Address && r.Port == c.Port)))
                .Distinct()
                .ToList();
            await Task.WhenAll(closing.Select(c => CloseAsync(running, c)));
            if (closing.Count > 0)
            {
                await _reports.DrainAsync();
            }
        }
        finally
        {
            _keysGate.Release();
        }
    }

    /// <summary>Ends sshd and every session if Wait for SSH has not, and delivers the last reports. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync();
        await _reports.DisposeAsync();
    }

    internal async Task<NodeSectionResult> EnableAsync(NodeSectionContext context, CancellationToken canceled)
    {
        try
        {
            var (running, failure) = await StartSshdAsync(context, debug: false, canceled);
            if (running is null)
            {
                return failure!;
            }

            await ReportReadyAsync(running, canceled);
            await context.WriteAsync(DetailsText(running, context.WorkingDirectory));
            return new NodeSectionResult(StepState.Success);
        }
        catch (OperationCanceledException) when (canceled.IsCancellationRequested)
        {
            await ShutdownAsync();
            await context.WriteAsync("The job was canceled before SSH was enabled.\n");
            return new NodeSectionResult(StepState.Canceled);
        }
        catch (Exception e) when (e is ExecutorException or InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            await ShutdownAsync();
            await context.WriteAsync($"SSH could not be enabled on this node: {e.Message}\n");
            return new NodeSectionResult(StepState.Failed);
        }
    }

    /// <summary>Starts sshd and watches its sessions; the endpoint is not reported ready yet. Null and why when it could not.</summary>
    private async Task<(Running? Running, NodeSectionResult? Failure)> StartSshdAsync(NodeSectionContext context, bool debug, CancellationToken canceled)
    {
        var openAccessToken = debug && !OpenAccessEnded() ? _debugRequest.OpenAccessToken : null;
        if (openAccessToken is not null)
        {
            // Before sshd listens: a key it lets in through open access must not be taken for a revoked one.
            _connections.AllowOpenAccess();
        }

        var launcher = new SshdLauncher(_options, _endpointId, _timeProvider, debug, openAccessToken);
        var launch = await launcher.LaunchAsync(
            context,
            files => AuthorizedKeysText.Render(CurrentGrants(), _options.BashPath, files.AttachScriptPath),
            _keysGate,
            OnSshdLine,
            canceled);
        if (launch is null)
        {
            return (null, new NodeSectionResult(StepState.Failed, SkipSteps: debug));
        }

        var info = new SshEndpointInfo(
            _options.AdvertisedHost,
            launch.Sshd.Port,
            launch.Account,
            launch.HostKey.PublicLine,
            launch.HostKey.Fingerprint,
            [.. CurrentGrants().Select(g => g.Fingerprint)]);
        var running = new Running(launch, info) { OpenAccess = launcher.OpenAccess };
        bool ending;
        bool openAccessEnded;
        lock (_gate)
        {
            ending = _ending;
            _running ??= ending ? null : running;
            openAccessEnded = _openAccessEnded;
        }

        if (openAccessEnded && running.OpenAccess)
        {
            // Open access ended while sshd started: the heartbeat that ended it found no token to remove.
            RemoveOpenAccessToken(running);
        }

        if (ending)
        {
            await StopAsync(running);
            await context.WriteAsync("The node ended before SSH was ready.\n");
            return (null, new NodeSectionResult(StepState.Canceled, SkipSteps: debug));
        }

        running.Watch(ApplyAudit, ProbeConnections, _timeProvider, _options.LivenessInterval);
        return (running, null);
    }

    internal async Task<NodeSectionResult> WaitAsync(NodeSectionContext context, CancellationToken canceled)
    {
        if (CurrentRunning() is not { } running)
        {
            await context.WriteAsync("SSH was not enabled on this node (see Enable SSH); there is nothing to wait for.\n");
            await ShutdownAsync();
            return new NodeSectionResult(StepState.Skipped);
        }

        var start = _timeProvider.GetUtcNow();
        await context.WriteAsync(DetailsText(running, context.WorkingDirectory));
        var reason = await WaitRules.WaitForEndAsync(_connections, _timeProvider, start, FirstConnectionTimeout, MaxSessionTime, canceled);
        await context.WriteAsync(reason + "\n");
        await ShutdownAsync();
        await _reports.DrainAsync();
        return new NodeSectionResult(StepState.Success);
    }

    private void OnSshdLine(SshdAttempt attempt, string text)
    {
        var line = SshdLogLine.Parse(text);
        attempt.OnLine(line);
        switch (line.Kind)
        {
            case SshdLogKind.KeyAccepted:
                if (_connections.OnKeyAccepted(line, acceptingSessions: !IsEnding()) is { } unwanted && CurrentRunning() is { } running)
                {
                    TrackClosing(CloseAsync(running, unwanted));
                }

                break;
            case SshdLogKind.KeyRefused:
                _connections.OnKeyRefused(line);
                break;
            case SshdLogKind.LoginRefused:
                _connections.OnLoginRefused(line);
                break;
            case SshdLogKind.SessionStarting or SshdLogKind.SessionClosing:
                ApplyAudit();
                break;
            case SshdLogKind.ConnectionEnded:
                // The session's audit line was written before its command ran, so it is there by now: read it first,
                // so that even a session shorter than a file-watch notice is reported.
                ApplyAudit();
                _connections.OnConnectionEnded(line.Address, line.Port);
                break;
        }
    }

    /// <summary>Takes the sessions the attach script reported, and closes those whose key was revoked meanwhile.</summary>
    private void ApplyAudit()
    {
        if (CurrentRunning() is { } running)
        {
            foreach (var connection in _connections.OnAudit(running.Audit.ReadNew()))
            {
                TrackClosing(CloseAsync(running, connection));
            }
        }
    }

    /// <summary>The safety net beside sshd's log: a connection whose TCP socket is gone has ended.</summary>
    private void ProbeConnections()
    {
        if (CurrentRunning() is { } running)
        {
            ApplyAudit();
            _connections.EndVanished(EndpointProcesses.Vanished(running));
        }
    }

    /// <summary>Tells the sink where sshd listens and which keys it accepts; from then on a change of the keys is told too.</summary>
    private async Task ReportReadyAsync(Running running, CancellationToken canceled)
    {
        // Under the keys' gate: keys changed while the first report is on its way are reported after it, not lost.
        await _keysGate.WaitAsync(canceled);
        try
        {
            await _reports.DeliverAsync(() => _sink.EndpointReadyAsync(running.Info), canceled);
            lock (_gate)
            {
                _readyReported = true;
            }
        }
        finally
        {
            _keysGate.Release();
        }
    }

    /// <summary>
    /// Records the keys accepted now in the endpoint's details and, once it was reported ready, reports it again (the
    /// browser terminal waits for its key there). Call with the keys' gate held, after the connections know the grants.
    /// </summary>
    private bool ReportAcceptedKeys(Running running, IReadOnlyList<KeyGrant> grants)
    {
        var accepted = grants.Select(g => g.Fingerprint).ToList();
        if (accepted.SequenceEqual(running.Info.AcceptedFingerprints))
        {
            return false;
        }

        var info = running.Info with { AcceptedFingerprints = accepted };
        running.Info = info;
        bool report;
        lock (_gate)
        {
            report = _readyReported && !_ending;
        }

        if (report)
        {
            _reports.Post(() => _sink.EndpointReadyAsync(info));
        }

        return report;
    }

    private async Task CloseAsync(Running running, SshConnection connection)
    {
        await EndpointProcesses.CloseConnectionAsync(running, connection, _endpointId);
        _connections.MarkEnded(connection);
    }

    private Task ShutdownAsync()
    {
        lock (_gate)
        {
            _ending = true;
            _shutdown ??= ShutdownOnceAsync();
            return _shutdown;
        }
    }

    private async Task ShutdownOnceAsync()
    {
        if (CurrentRunning() is { } running)
        {
            await StopAsync(running);
        }

        if (CurrentDebugSession() is { } session)
        {
            await session.StopAsync();
        }

        Task[] closing;
        lock (_gate)
        {
            closing = [.. _closing];
        }

        await Task.WhenAll(closing);
    }

    /// <summary>Ends sshd, every connection and every session process of this endpoint, and reports the sessions ended (R-SSH-9).</summary>
    private async Task StopAsync(Running running)
    {
        running.StopWatching();
        ApplyAudit();
        await EndpointProcesses.EndAllAsync(running, _endpointId);
        await running.Process.StopAsync();
        foreach (var connection in _connections.Open)
        {
            _connections.MarkEnded(connection);
        }

        PortReservations.Release(running.Info.Port);
    }

    private void TrackClosing(Task task)
    {
        lock (_gate)
        {
            _closing.RemoveAll(t => t.IsCompleted);
            _closing.Add(task);
        }
    }

    private Running? CurrentRunning()
    {
        lock (_gate)
        {
            return _running;
        }
    }

    private bool OpenAccessEnded()
    {
        lock (_gate)
        {
            return _openAccessEnded;
        }
    }

    /// <summary>The attach script lets an open-access connection in only with the token of this file: without it, nobody.</summary>
    private void RemoveOpenAccessToken(Running running)
    {
        try
        {
            File.Delete(running.Files.DebugTokenPath);
        }
        catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && IsEnding())
        {
            // The node ended meanwhile and its folder went with it.
        }
    }

    private bool IsEnding()
    {
        lock (_gate)
        {
            return _ending;
        }
    }

    private IReadOnlyList<KeyGrant> CurrentGrants()
    {
        lock (_gate)
        {
            return _grants;
        }
    }

    private string DetailsText(Running running, string workingDirectory) =>
        ConnectionDetailsText.Render(
            running.Info,
            running.HostKey.PublicKey.TypeLabel,
            _assignment.JobId,
            _assignment.NodeIndex,
            FirstConnectionTimeout,
            MaxSessionTime,
            CurrentGrants(),
            workingDirectory);
}
