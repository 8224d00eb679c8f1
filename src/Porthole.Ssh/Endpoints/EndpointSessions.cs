namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The sessions of one node's sshd: turns sshd's log lines and the attach script's audit lines into
/// <see cref="SshConnections"/>' events, closes the connections that must not stay (a key revoked meanwhile, the node
/// ending), and probes whether the open ones still are.
/// </summary>
internal sealed class EndpointSessions(EndpointState state, SshConnections connections, string endpointId)
{
    private readonly Lock _gate = new();
    private readonly List<Task> _closing = [];

    /// <summary>Every line sshd prints, with the attempt (port) that printed it.</summary>
    public void OnSshdLine(SshdAttempt attempt, string text)
    {
        var line = SshdLogLine.Parse(text);
        attempt.OnLine(line);
        switch (line.Kind)
        {
            case SshdLogKind.KeyAccepted:
                if (connections.OnKeyAccepted(line, acceptingSessions: !state.Ending) is { } unwanted && state.Running is { } running)
                {
                    TrackClosing(CloseAsync(running, unwanted));
                }

                break;
            case SshdLogKind.KeyRefused:
                connections.OnKeyRefused(line);
                break;
            case SshdLogKind.LoginRefused:
                connections.OnLoginRefused(line);
                break;
            case SshdLogKind.SessionStarting or SshdLogKind.SessionClosing:
                ApplyAudit();
                break;
            case SshdLogKind.ConnectionEnded:
                // The session's audit line was written before its command ran, so it is there by now: read it first,
                // so that even a session shorter than a file-watch notice is reported.
                ApplyAudit();
                connections.OnConnectionEnded(line.Address, line.Port);
                break;
        }
    }

    /// <summary>Takes the sessions the attach script reported, and closes those whose key was revoked meanwhile.</summary>
    public void ApplyAudit()
    {
        if (state.Running is { } running)
        {
            foreach (var connection in connections.OnAudit(running.Audit.ReadNew()))
            {
                TrackClosing(CloseAsync(running, connection));
            }
        }
    }

    /// <summary>The safety net beside sshd's log: a connection whose TCP socket is gone has ended.</summary>
    public void ProbeConnections()
    {
        if (state.Running is { } running)
        {
            ApplyAudit();
            connections.EndVanished(EndpointProcesses.Vanished(running));
        }
    }

    /// <summary>
    /// Takes the sessions the attach script reported and returns the connections that must be closed for it: those of
    /// sessions that started a moment ago, not known yet, whose key was revoked meanwhile.
    /// </summary>
    public IReadOnlyList<SshConnection> ReadAudit(Running running) => connections.OnAudit(running.Audit.ReadNew());

    public async Task CloseAsync(Running running, SshConnection connection)
    {
        await EndpointProcesses.CloseConnectionAsync(running, connection, endpointId);
        connections.MarkEnded(connection);
    }

    /// <summary>Ends sshd's processes, every connection's and every session's, also what left its session (R-SSH-9).</summary>
    public Task EndAllAsync(Running running) => EndpointProcesses.EndAllAsync(running, endpointId);

    /// <summary>sshd is gone: reports every connection still open ended.</summary>
    public void MarkAllEnded()
    {
        foreach (var connection in connections.Open)
        {
            connections.MarkEnded(connection);
        }
    }

    /// <summary>Waits for the closings the log and audit lines started so far.</summary>
    public Task ClosedAsync()
    {
        Task[] closing;
        lock (_gate)
        {
            closing = [.. _closing];
        }

        return Task.WhenAll(closing);
    }

    private void TrackClosing(Task task)
    {
        lock (_gate)
        {
            _closing.RemoveAll(t => t.IsCompleted);
            _closing.Add(task);
        }
    }
}
