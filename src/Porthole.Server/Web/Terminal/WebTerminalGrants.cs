namespace Porthole.Server.Web.Terminal;

/// <summary>
/// The key of one open browser terminal (R-WEB-2): made by the server for it, offered in the name of its user. The node
/// accepts it only while the user would get a grant for keys of their own (<see cref="Ssh.SshAccess.GrantsAsync"/>);
/// <see cref="ReadOnly"/> asks for no more than watching, whatever the user may do.
/// </summary>
public sealed record WebTerminalGrant(long UserId, string PublicKey, string Fingerprint, bool ReadOnly);

/// <summary>
/// The keys of the browser terminals open now, by node: in memory only, as the terminals are. Each heartbeat of a node
/// adds them to the keys it accepts, so a terminal's key is granted within a heartbeat and dropped within one after the
/// terminal closes.
/// </summary>
public sealed class WebTerminalGrants
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, List<WebTerminalGrant>> _byNode = [];

    /// <summary>The grants of the browser terminals open on a node now.</summary>
    public IReadOnlyList<WebTerminalGrant> For(long nodeId)
    {
        lock (_gate)
        {
            return _byNode.TryGetValue(nodeId, out var grants) ? [.. grants] : [];
        }
    }

    /// <summary>How many browser terminals <paramref name="userId"/> has open now, on any node.</summary>
    public int CountOf(long userId)
    {
        lock (_gate)
        {
            return _byNode.Values.Sum(grants => grants.Count(g => g.UserId == userId));
        }
    }

    /// <summary>Grants a terminal's key on a node until the returned handle is disposed.</summary>
    public IDisposable Add(long nodeId, WebTerminalGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        lock (_gate)
        {
            if (!_byNode.TryGetValue(nodeId, out var grants))
            {
                _byNode[nodeId] = grants = [];
            }

            grants.Add(grant);
        }

        return new Registration(this, nodeId, grant);
    }

    private void Remove(long nodeId, WebTerminalGrant grant)
    {
        lock (_gate)
        {
            if (_byNode.TryGetValue(nodeId, out var grants) && grants.Remove(grant) && grants.Count == 0)
            {
                _byNode.Remove(nodeId);
            }
        }
    }

    private sealed class Registration(WebTerminalGrants owner, long nodeId, WebTerminalGrant grant) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(nodeId, grant);
            }
        }
    }
}
