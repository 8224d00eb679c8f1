namespace Porthole.Contracts.Api;

// Wire shapes of runner tokens and the runners list (issue 14). JSON is snake_case (ApiJson).

/// <summary>The body of <c>POST /api/runner-tokens</c>.</summary>
public sealed record CreateRunnerTokenRequest(string? Name);

/// <summary>A new runner token: <see cref="Token"/> is its secret, in this answer and nowhere else, ever.</summary>
public sealed record CreatedRunnerToken(string Name, DateTimeOffset CreatedAt, string CreatedBy, string Token);

/// <summary>A runner token as <c>GET /api/runner-tokens</c> lists it, never with its secret or hash.</summary>
public sealed record RunnerTokenView(string Name, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt, bool Revoked, DateTimeOffset? RevokedAt);

/// <summary>
/// A runner as <c>GET /api/runners</c> lists it: <see cref="NodesRunning"/> counts the nodes leased to it and not finished;
/// <see cref="Address"/> is the host its nodes' SSH endpoints are advertised on; <see cref="BuiltIn"/>: the server's own.
/// </summary>
public sealed record RunnerView(
    string Name,
    string Version,
    IReadOnlyList<string> Labels,
    int Capacity,
    int NodesRunning,
    DateTimeOffset? LastHeartbeatAt,
    string Address,
    bool BuiltIn,
    DateTimeOffset RegisteredAt);
