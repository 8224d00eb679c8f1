using System.Collections.Concurrent;

namespace Porthole.Runner.Remote;

/// <summary>
/// The lease token of each node this runner holds (issue 14): remembered when the node is leased, sent with every call
/// about it, forgotten once the node is completed. A node without one is no longer this runner's.
/// </summary>
public sealed class LeaseBook
{
    private readonly ConcurrentDictionary<long, string> _tokens = new();

    public void Remember(long nodeId, string leaseToken) => _tokens[nodeId] = leaseToken;

    /// <summary>The node's lease token, or null when this runner holds no lease of it.</summary>
    public string? TokenOf(long nodeId) => _tokens.TryGetValue(nodeId, out var token) ? token : null;

    public void Forget(long nodeId) => _tokens.TryRemove(nodeId, out _);

    /// <summary>The lease tokens held now, to keep them out of anything shown.</summary>
    public IEnumerable<string> All => _tokens.Values;
}
