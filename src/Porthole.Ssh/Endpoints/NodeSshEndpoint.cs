using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
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
/// It wires the parts that do this: <see cref="EndpointState"/> (where the endpoint stands, under one lock),
/// <see cref="EndpointSessions"/> (sshd's log and audit lines, closing connections), <see cref="EndpointGrants"/> (the keys
/// accepted, open access, revocation), <see cref="EndpointLifetime"/> (sshd's start and end), and the sections' work:
/// <see cref="RerunSections"/> and <see cref="DebugRun"/>.
/// </summary>
public sealed class NodeSshEndpoint : IAsyncDisposable
{
    private readonly ReportQueue _reports = new();
    private readonly EndpointState _state;
    private readonly SshConnections _connections;
    private readonly EndpointGrants _grants;
    private readonly EndpointLifetime _lifetime;
    private readonly RerunSections _rerun;
    private readonly DebugLimit _debugLimit;
    private readonly DebugRun _debug;
    private readonly bool _isDebug;

    public NodeSshEndpoint(NodeAssignment assignment, SshOptions options, ISshEventSink sink, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var request = assignment.Ssh
            ?? throw new ArgumentException($"Node {assignment.NodeId} was not asked for with SSH (its assignment has no SSH request).", nameof(assignment));
        options.Validate();
        var endpointId = Guid.NewGuid().ToString("N");
        var grants = KeyGrant.From(request.Keys);
        var secrets = SecretPatterns.Of(assignment);
        _state = new EndpointState(grants, request.PortForwarding);
        _connections = new SshConnections(timeProvider, e => _reports.Post(() => sink.EventAsync(e)), secrets);
        _connections.SetGrants(grants);
        var sessions = new EndpointSessions(_state, _connections, endpointId);
        _grants = new EndpointGrants(_state, _connections, sessions, options, _reports, sink);
        _lifetime = new EndpointLifetime(_state, _connections, sessions, _grants, options, endpointId, timeProvider, new EndpointRecording(request.Record, secrets, sink));
        _rerun = new RerunSections(assignment, request, _state, _connections, _grants, _lifetime, _reports, sink, timeProvider);
        _debugLimit = new DebugLimit(assignment, request, _connections, _reports, sink, timeProvider);
        _debug = new DebugRun(assignment, request, _state, _grants, _lifetime, options, secrets, _debugLimit, _reports, timeProvider);
        _isDebug = assignment.Debug is not null;
        EnableSsh = new EnableSshSection(this);
        WaitForSsh = new WaitForSshSection(this);
        Debug = new DebugSection(_debug);
    }

    /// <summary>The "Enable SSH" section: starts sshd and prints how to connect. Put it before the node's first step.</summary>
    public INodeSection EnableSsh { get; }

    /// <summary>The "Wait for SSH" section: keeps the node while the Wait for SSH rules say so, then ends sshd and every session. Put it after the last step.</summary>
    public INodeSection WaitForSsh { get; }

    /// <summary>
    /// The "Debug" section of a debug run (<see cref="NodeAssignment.Debug"/>): put it before the steps instead of
    /// Enable/Wait for SSH. It checks out, starts sshd and the tmux session, prints how to connect, and keeps the node
    /// until the last window is exited, the time is up or the job is canceled; the plan's steps are skipped.
    /// </summary>
    public INodeSection Debug { get; }

    public TimeSpan FirstConnectionTimeout => _rerun.FirstConnectionTimeout;

    public TimeSpan MaxSessionTime => _rerun.MaxSessionTime;

    /// <summary>How long a debug session may live (<see cref="DebugRequest.Timeout"/>, 30 minutes by default).</summary>
    public TimeSpan DebugTimeout => _debugLimit.SessionTimeout;

    /// <summary>The debug session's tmux socket, once the Debug section has started it (for <c>tmux -S</c>).</summary>
    public string? DebugSocketPath => _state.DebugSession?.Files.TmuxSocketPath;

    /// <summary>Where sshd listens, once Enable SSH has started it.</summary>
    public SshEndpointInfo? Info => _state.Running?.Info;

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
    /// <param name="portForwarding">
    /// Whether the keys that may type may forward local ports to the node now (the project's <c>ssh_port_forwarding</c>,
    /// R-BEY-5); null leaves it as it is. It applies to the connections made after this returns: sshd decides a
    /// connection's forwarding when it logs in.
    /// </param>
    public async Task UpdateKeysAsync(IReadOnlyList<SshGrant> keys, bool openAccess = true, bool? portForwarding = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await _grants.UpdateAsync(keys, openAccess, portForwarding);
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

        await _grants.EndSessionsAsync(connections);
    }

    /// <summary>
    /// Adds <paramref name="by"/> to the node's SSH wait, or to a debug run's time limit, up to its cap (R-BEY-4:
    /// <c>porthole-extend</c>, or a writer through the API); the answer says what it did, or why not.
    /// </summary>
    public string Extend(TimeSpan by) => Lifecycle.Extend(by).Text;

    /// <summary>Ends the node's SSH wait, or a debug run's session, now (R-BEY-4: <c>porthole-release</c>, or a writer through the API).</summary>
    public void Release(string by) => Lifecycle.Release(by);

    /// <summary>Ends sshd and every session if Wait for SSH has not, and delivers the last reports. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        await _rerun.StopCommandsAsync();
        await _lifetime.ShutdownAsync();
        await _reports.DisposeAsync();
    }

    /// <summary>What <see cref="Extend"/> and <see cref="Release"/> reach: a debug run's limit, or the Wait for SSH.</summary>
    private SshWait Lifecycle => _isDebug ? _debugLimit.Wait : _rerun.Wait;

    internal Task<NodeSectionResult> EnableAsync(NodeSectionContext context, CancellationToken canceled) => _rerun.EnableAsync(context, canceled);

    internal Task<NodeSectionResult> WaitAsync(NodeSectionContext context, CancellationToken canceled) => _rerun.WaitAsync(context, canceled);
}
