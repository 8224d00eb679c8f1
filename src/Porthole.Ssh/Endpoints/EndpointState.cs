using Porthole.Ssh.Debugging;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// Where one node's SSH endpoint stands, under one lock: its sshd once it listens, whether it is ending, the keys
/// accepted now, whether open access ended, whether it was reported ready, and its debug session. One lock, because
/// some changes must see each other: a key update and sshd's start (one of them removes a token open access no longer
/// lets in), the end and a start that was still under way (the start stops what it made).
/// </summary>
internal sealed class EndpointState(IReadOnlyList<KeyGrant> grants, bool portForwarding = false)
{
    private readonly Lock _gate = new();
    private IReadOnlyList<KeyGrant> _grants = grants;
    private bool _portForwarding = portForwarding;
    private Running? _running;
    private bool _ending;
    private bool _readyReported;
    private bool _openAccessEnded;
    private DebugSession? _debugSession;
    private Task? _shutdown;

    /// <summary>The node's sshd, once it listens (and was not started after the end).</summary>
    public Running? Running
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    public bool Ending
    {
        get
        {
            lock (_gate)
            {
                return _ending;
            }
        }
    }

    public IReadOnlyList<KeyGrant> Grants
    {
        get
        {
            lock (_gate)
            {
                return _grants;
            }
        }
    }

    /// <summary>Whether the keys that may type may forward local ports to the node (the project's <c>ssh_port_forwarding</c>).</summary>
    public bool PortForwarding
    {
        get
        {
            lock (_gate)
            {
                return _portForwarding;
            }
        }
    }

    /// <summary>Open access was switched off (or the run canceled): it stays off for the rest of the run.</summary>
    public bool OpenAccessEnded
    {
        get
        {
            lock (_gate)
            {
                return _openAccessEnded;
            }
        }
    }

    public DebugSession? DebugSession
    {
        get
        {
            lock (_gate)
            {
                return _debugSession;
            }
        }
    }

    /// <summary>Whether a change of the accepted keys is reported: the endpoint was reported ready and is not ending.</summary>
    public bool ReportsKeyChanges
    {
        get
        {
            lock (_gate)
            {
                return _readyReported && !_ending;
            }
        }
    }

    /// <summary>
    /// Takes the keys accepted now, whether open access still is and whether port forwarding is (null: as it was);
    /// returns sshd if it runs and is not ending.
    /// </summary>
    public Running? SetGrants(IReadOnlyList<KeyGrant> grants, bool openAccess, bool? portForwarding = null)
    {
        lock (_gate)
        {
            _grants = grants;
            _portForwarding = portForwarding ?? _portForwarding;
            _openAccessEnded |= !openAccess;
            return _ending ? null : _running;
        }
    }

    /// <summary>
    /// Takes sshd as the endpoint's, unless it is ending (or has one): says whether it is ending, and whether open
    /// access ended, as they were at that moment.
    /// </summary>
    public (bool Ending, bool OpenAccessEnded) SetRunning(Running running)
    {
        lock (_gate)
        {
            var ending = _ending;
            _running ??= ending ? null : running;
            return (ending, _openAccessEnded);
        }
    }

    /// <summary>Takes the debug session as the endpoint's; says whether it is ending (then the caller stops the session).</summary>
    public bool SetDebugSession(DebugSession session)
    {
        lock (_gate)
        {
            _debugSession = session;
            return _ending;
        }
    }

    public void MarkReadyReported()
    {
        lock (_gate)
        {
            _readyReported = true;
        }
    }

    /// <summary>Marks the endpoint ending and starts <paramref name="shutdown"/> the first time only; every call gets that task.</summary>
    public Task End(Func<Task> shutdown)
    {
        lock (_gate)
        {
            _ending = true;
            _shutdown ??= shutdown();
            return _shutdown;
        }
    }
}
