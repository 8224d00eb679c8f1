using Porthole.Contracts.Ssh;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// What is going on at one node's sshd, from its log and the attach script's audit lines: the offered keys, the open
/// connections and their sessions. Every change becomes an <see cref="SshEvent"/>, in order, and wakes
/// <see cref="Changed"/>. It decides nothing about processes: it tells the endpoint which connections must be closed.
/// A session's command is kept and reported with the job's secrets masked (<paramref name="secrets"/>), as the log
/// shows them: the SSH audit is read by every member who may read the job.
/// </summary>
internal sealed class SshConnections(TimeProvider timeProvider, Action<SshEvent> emit, SecretPatterns secrets)
{
    /// <summary>Audit lines of connections sshd has not reported yet; older ones are dropped beyond this.</summary>
    private const int MaximumPending = 1000;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Address, int Port), SshConnection> _open = [];
    private readonly List<AuditLine> _pending = [];
    private readonly HashSet<(string Address, int Port)> _refusedLogins = [];
    private readonly Dictionary<int, (SshConnection Connection, AuditLine Session)> _byProcess = [];
    private readonly Queue<int> _processOrder = new();
    private IReadOnlyDictionary<string, KeyGrant> _grants = new Dictionary<string, KeyGrant>();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset? _firstConnectionAt;
    private DateTimeOffset? _lastClosedAt;
    private bool _openAccess;
    private bool _openAccessEnded;

    /// <summary>
    /// The client behind the address and port sshd logged: itself, unless sshd runs behind the runner's relay (a docker
    /// node's sshd in its container's network sees every connection come from the relay, <see cref="SshdRelay"/>).
    /// </summary>
    public Func<string, int, (string Address, int Port)> ClientOf { get; set; } = (address, port) => (address, port);

    /// <summary>When the first connection passed authentication, during the steps or after them.</summary>
    public DateTimeOffset? FirstConnectionAt
    {
        get
        {
            lock (_gate)
            {
                return _firstConnectionAt;
            }
        }
    }

    /// <summary>When the last open connection closed (the grace period's start, R-BEY-4); null while one is open or none ever was.</summary>
    public DateTimeOffset? LastClosedAt
    {
        get
        {
            lock (_gate)
            {
                return _open.Count == 0 ? _lastClosedAt : null;
            }
        }
    }

    /// <summary>Connections that passed authentication and have not closed.</summary>
    public int OpenCount
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>Completes at the next change of the open connections.</summary>
    public Task Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    public IReadOnlyList<SshConnection> Open
    {
        get
        {
            lock (_gate)
            {
                return [.. _open.Values];
            }
        }
    }

    /// <summary>
    /// Sets the keys accepted now and returns the open connections that must be closed: those of keys no longer
    /// accepted, and those of keys now read-only with a session that can type (R-SSH-11, R-DBG-7).
    /// </summary>
    public IReadOnlyList<SshConnection> SetGrants(IReadOnlyList<KeyGrant> grants)
    {
        lock (_gate)
        {
            _grants = grants.ToDictionary(g => g.Fingerprint, StringComparer.Ordinal);
            return [.. _open.Values.Where(MustClose)];
        }
    }

    /// <summary>
    /// From now on, a key that no grant names is let in as <see cref="DebugRequest.OpenAccessUser"/>: sshd accepted it
    /// because the debug run is open to anyone with its command, and the attach script asks for the run's token (R-DBG-7).
    /// </summary>
    public void AllowOpenAccess()
    {
        lock (_gate)
        {
            _openAccess = !_openAccessEnded;
        }
    }

    /// <summary>
    /// Open access ended for good (R-DBG-7: switched off, or the run canceled): a key that no grant names is refused again,
    /// and the connections it let in must be closed (<see cref="SetGrants"/> returns them).
    /// </summary>
    public void EndOpenAccess()
    {
        lock (_gate)
        {
            _openAccess = false;
            _openAccessEnded = true;
        }
    }

    /// <summary>A key passed; returns the connection if it must be closed at once (its key was revoked meanwhile).</summary>
    public SshConnection? OnKeyAccepted(SshdLogLine line, bool acceptingSessions)
    {
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            var owner = _grants.TryGetValue(line.Fingerprint!, out var grant) ? grant.UserName : _openAccess ? DebugRequest.OpenAccessUser : null;
            var client = ClientOf(line.Address, line.Port);
            emit(new SshEvent(SshEventKind.KeyAccepted, now, client.Address, client.Port, line.Fingerprint, line.KeyType, owner));
            var connection = new SshConnection(line.Address, line.Port, line.Fingerprint!, line.KeyType!, owner, now) { Client = client };
            _open[(line.Address, line.Port)] = connection;
            _firstConnectionAt ??= now;
            var pending = _pending.Where(p => p.Address == line.Address && p.Port == line.Port).ToList();
            _pending.RemoveAll(pending.Contains);
            foreach (var session in pending)
            {
                StartSession(connection, session);
            }

            Wake();
            return owner is null || !acceptingSessions || MustClose(connection) ? connection : null;
        }
    }

    public void OnKeyRefused(SshdLogLine line)
    {
        lock (_gate)
        {
            var client = ClientOf(line.Address, line.Port);
            emit(new SshEvent(SshEventKind.KeyRefused, timeProvider.GetUtcNow(), client.Address, client.Port, line.Fingerprint, line.KeyType));
        }
    }

    /// <summary>sshd refused the login name before any key was looked at (not the node's account): a refusal without a fingerprint.</summary>
    public void OnLoginRefused(SshdLogLine line)
    {
        lock (_gate)
        {
            if (_refusedLogins.Count > MaximumPending)
            {
                _refusedLogins.Clear();
            }

            if (_refusedLogins.Add((line.Address, line.Port)))
            {
                var client = ClientOf(line.Address, line.Port);
                emit(new SshEvent(SshEventKind.KeyRefused, timeProvider.GetUtcNow(), client.Address, client.Port));
            }
        }
    }

    /// <summary>Sessions the attach script started; returns the connections that must be closed (their key is no longer accepted).</summary>
    public IReadOnlyList<SshConnection> OnAudit(IReadOnlyList<AuditLine> lines)
    {
        if (lines.Count == 0)
        {
            return [];
        }

        lock (_gate)
        {
            var close = new List<SshConnection>();
            foreach (var audited in lines)
            {
                var line = audited with { Command = secrets.MaskText(audited.Command) };
                if (!_open.TryGetValue((line.Address, line.Port), out var connection))
                {
                    _pending.Add(line);
                    if (_pending.Count > MaximumPending)
                    {
                        _pending.RemoveAt(0);
                    }

                    continue;
                }

                StartSession(connection, line);
                if (MustClose(connection) && !close.Contains(connection))
                {
                    close.Add(connection);
                }
            }

            return close;
        }
    }

    public void OnConnectionEnded(string address, int port)
    {
        lock (_gate)
        {
            if (_open.TryGetValue((address, port), out var connection))
            {
                End(connection);
            }
        }
    }

    /// <summary>Ends a connection the endpoint closed (or found gone); a no-op if it ended already.</summary>
    public void MarkEnded(SshConnection connection)
    {
        lock (_gate)
        {
            if (_open.TryGetValue((connection.Address, connection.Port), out var open) && ReferenceEquals(open, connection))
            {
                End(connection);
            }
        }
    }

    /// <summary>Ends the connections that are gone without sshd saying so (its process killed from outside, say).</summary>
    public void EndVanished(Func<SshConnection, bool> gone)
    {
        lock (_gate)
        {
            foreach (var connection in _open.Values.ToList())
            {
                if (gone(connection))
                {
                    End(connection);
                }
            }
        }
    }

    /// <summary>
    /// Let in by open access, which ended; or the key is no longer accepted, or it may only watch and one of the
    /// connection's sessions can type.
    /// </summary>
    private bool MustClose(SshConnection connection) => connection.UserName == DebugRequest.OpenAccessUser
        ? !_openAccess
        : !_grants.TryGetValue(connection.Fingerprint, out var grant) || (grant.ReadOnly && connection.Sessions.Any(s => !s.ReadOnly));

    /// <summary>
    /// The session whose attach script had this process id, and its connection (ended or not): who a session's recording
    /// belongs to (R-BEY-2). Null for a process id no session had (of the last <see cref="MaximumPending"/>).
    /// </summary>
    public (SshConnection Connection, AuditLine Session)? SessionOf(int processId)
    {
        lock (_gate)
        {
            return _byProcess.TryGetValue(processId, out var found) ? found : null;
        }
    }

    private void StartSession(SshConnection connection, AuditLine line)
    {
        connection.Sessions.Add(line);
        if (!_byProcess.ContainsKey(line.ProcessId))
        {
            _processOrder.Enqueue(line.ProcessId);
            if (_processOrder.Count > MaximumPending)
            {
                _byProcess.Remove(_processOrder.Dequeue());
            }
        }

        _byProcess[line.ProcessId] = (connection, line);
        emit(new SshEvent(
            SshEventKind.SessionStarted,
            timeProvider.GetUtcNow(),
            connection.Client.Address,
            connection.Client.Port,
            connection.Fingerprint,
            connection.KeyType,
            connection.UserName ?? line.UserName,
            line.Command,
            line.Via,
            line.ReadOnly));
    }

    private void End(SshConnection connection)
    {
        connection.Ended = true;
        _open.Remove((connection.Address, connection.Port));
        var now = timeProvider.GetUtcNow();
        _lastClosedAt = now;
        foreach (var session in connection.Sessions)
        {
            emit(new SshEvent(
                SshEventKind.SessionEnded,
                now,
                connection.Client.Address,
                connection.Client.Port,
                connection.Fingerprint,
                connection.KeyType,
                connection.UserName ?? session.UserName,
                session.Command,
                session.Via,
                session.ReadOnly));
        }

        Wake();
    }

    private void Wake()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
