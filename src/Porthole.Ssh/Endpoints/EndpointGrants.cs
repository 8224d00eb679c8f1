using Porthole.Contracts.Ssh;
using Porthole.Execution.Executors;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// Who may be in at one node's sshd, and taking them out: the keys accepted now (authorized_keys), open access and its
/// token file, the endpoint's reports of the keys it accepts, and closing the connections of revoked keys and those an
/// admin ended (R-SSH-11, R-DBG-7). Its gate orders key updates, sshd's start and the first report: none is lost.
/// </summary>
internal sealed class EndpointGrants(
    EndpointState state,
    SshConnections connections,
    EndpointSessions sessions,
    SshOptions options,
    ReportQueue reports,
    ISshEventSink sink)
{
    private readonly SemaphoreSlim _keysGate = new(1, 1);

    /// <summary>Held while authorized_keys is written: by key updates, and by sshd's start (<see cref="SshdLauncher"/>).</summary>
    public SemaphoreSlim Gate => _keysGate;

    /// <summary>authorized_keys of the keys accepted now, with port forwarding to the node's addresses if it is on.</summary>
    public string AuthorizedKeys(NodeSshFiles files, SessionEntry entry) =>
        AuthorizedKeysText.Render(state.Grants, options.BashPath, files.AttachScriptPath, state.PortForwarding ? entry.ForwardHosts : null);

    /// <summary>See <see cref="NodeSshEndpoint.UpdateKeysAsync"/>.</summary>
    public async Task UpdateAsync(IReadOnlyList<SshGrant> keys, bool openAccess, bool? portForwarding)
    {
        var grants = KeyGrant.From(keys);
        await _keysGate.WaitAsync();
        try
        {
            var running = state.SetGrants(grants, openAccess, portForwarding);
            if (!openAccess)
            {
                connections.EndOpenAccess();
                if (running is not null)
                {
                    RemoveOpenAccessToken(running);
                }
            }

            if (running is not null)
            {
                try
                {
                    NodeSshFiles.WriteAtomically(running.Files.AuthorizedKeysPath, AuthorizedKeys(running.Files, running.Entry));
                }
                catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && state.Ending)
                {
                    // The node ended meanwhile and its folder went with it: nothing is left to grant.
                    return;
                }
            }

            var revoked = connections.SetGrants(grants);
            if (running is not null)
            {
                // Sessions that started a moment ago may not be known yet: their audit lines name their processes.
                var closing = revoked.Concat(sessions.ReadAudit(running)).Distinct().ToList();
                await Task.WhenAll(closing.Select(c => sessions.CloseAsync(running, c)));
                var reported = ReportAcceptedKeys(running, grants);
                if (closing.Count > 0 || reported)
                {
                    await reports.DrainAsync();
                }
            }
        }
        finally
        {
            _keysGate.Release();
        }
    }

    /// <summary>See <see cref="NodeSshEndpoint.EndSessionsAsync"/>.</summary>
    public async Task EndSessionsAsync(IReadOnlyList<SshConnectionRef> ended)
    {
        await _keysGate.WaitAsync();
        try
        {
            if (state.Ending || state.Running is not { } running)
            {
                return;
            }

            // Sessions that started a moment ago may not be known yet: their audit lines name their processes. The server
            // names a connection by its client as the events reported it (behind a relay, not as sshd saw it).
            var closing = sessions.ReadAudit(running)
                .Concat(connections.Open.Where(c => ended.Any(r => r.Address == c.Client.Address && r.Port == c.Client.Port)))
                .Distinct()
                .ToList();
            await Task.WhenAll(closing.Select(c => sessions.CloseAsync(running, c)));
            if (closing.Count > 0)
            {
                await reports.DrainAsync();
            }
        }
        finally
        {
            _keysGate.Release();
        }
    }

    /// <summary>Tells the sink where sshd listens and which keys it accepts; from then on a change of the keys is told too.</summary>
    public async Task ReportReadyAsync(Running running, CancellationToken canceled)
    {
        // Under the keys' gate: keys changed while the first report is on its way are reported after it, not lost.
        await _keysGate.WaitAsync(canceled);
        try
        {
            await reports.DeliverAsync(() => sink.EndpointReadyAsync(running.Info), canceled);
            state.MarkReadyReported();
        }
        finally
        {
            _keysGate.Release();
        }
    }

    /// <summary>The attach script lets an open-access connection in only with the token of this file: without it, nobody.</summary>
    public void RemoveOpenAccessToken(Running running)
    {
        try
        {
            File.Delete(running.Files.DebugTokenPath);
        }
        catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && state.Ending)
        {
            // The node ended meanwhile and its folder went with it.
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
        var report = state.ReportsKeyChanges;
        if (report)
        {
            reports.Post(() => sink.EndpointReadyAsync(info));
        }

        return report;
    }
}
