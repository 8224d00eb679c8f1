using Porthole.Contracts.Ssh;
using Porthole.Execution.Executors;
using Porthole.Ssh.Keys;

namespace Porthole.Ssh.Endpoints;

/// <summary>A node's sshd once it listens: its files, its process, and what watches its sessions.</summary>
internal sealed class Running(SshdLaunch launch, SshEndpointInfo info)
{
    private readonly Lock _gate = new();
    private FileSystemWatcher? _watcher;
    private ITimer? _probe;
    private bool _stopped;

    public NodeSshFiles Files => launch.Files;

    public AuditLog Audit => launch.Audit;

    /// <summary>The supervisor script's process, which the node started; sshd is its child.</summary>
    public IStepProcess Process => launch.Process;

    public SshdAttempt Sshd => launch.Sshd;

    /// <summary>The advertised port's relay to sshd in a docker node's network; null when sshd listens on it itself.</summary>
    public SshdRelay? Relay => launch.Relay;

    /// <summary>Where the kernel's TCP tables of sshd's network are, which its connections' sockets are in.</summary>
    public string SocketTables => launch.SocketTables;

    public HostKey HostKey => launch.HostKey;

    /// <summary>What sshd was started with (the node's base environment and the endpoint's mark): for the endpoint's other processes.</summary>
    public IReadOnlyDictionary<string, string> LaunchEnvironment => launch.LaunchEnvironment;

    /// <summary>How a session enters the node (<see cref="IExecutorNode.SessionEntryAsync"/>).</summary>
    public SessionEntry Entry => launch.Entry;

    /// <summary>The sessions' (or the debug session's windows') <c>porthole-extend</c> and <c>porthole-release</c> (R-BEY-4).</summary>
    public SessionCommands Commands => launch.Commands;

    /// <summary>Where sshd listens and the keys it accepts now (the endpoint updates them under its keys' gate).</summary>
    public SshEndpointInfo Info { get; set; } = info;

    /// <summary>sshd lets in any key that comes with the debug run's token (R-DBG-7's opt-in).</summary>
    public bool OpenAccess { get; init; }

    /// <summary>
    /// Reads the audit log as soon as the attach script appends to it, and probes the connections every
    /// <paramref name="interval"/> (a one-shot timer armed again each time, so that a clock moved far ahead fires it once).
    /// </summary>
    public void Watch(Action onAudit, Action probe, TimeProvider timeProvider, TimeSpan interval)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            try
            {
                _watcher = new FileSystemWatcher(Files.Directory, Path.GetFileName(Files.AuditPath))
                {
                    NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size,
                };
                _watcher.Changed += (_, _) => onAudit();
                _watcher.EnableRaisingEvents = true;
            }
            catch (IOException)
            {
                // Out of inotify instances (many nodes on one host): the probe reads the audit log every interval instead.
                _watcher?.Dispose();
                _watcher = null;
            }

            _probe = timeProvider.CreateTimer(
                _ =>
                {
                    probe();
                    lock (_gate)
                    {
                        if (!_stopped)
                        {
                            _probe?.Change(interval, Timeout.InfiniteTimeSpan);
                        }
                    }
                },
                null,
                interval,
                Timeout.InfiniteTimeSpan);
        }
    }

    public void StopWatching()
    {
        lock (_gate)
        {
            _stopped = true;
            _watcher?.Dispose();
            _probe?.Dispose();
        }
    }
}
