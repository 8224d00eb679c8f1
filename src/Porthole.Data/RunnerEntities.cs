namespace Porthole.Data;

/// <summary>
/// A runner token (issue 14): the secret a remote runner registers and talks to the server with. An administrator makes
/// it; only its SHA-256 is stored. Revoking keeps the row (with <see cref="RevokedAt"/>), so its name and the runners it
/// registered stay accountable; a revoked token is refused from then on.
/// </summary>
public sealed class RunnerTokenRecord
{
    public long Id { get; set; }

    /// <summary>Unique whatever its case; letters, digits, '.', '_' and '-'.</summary>
    public required string Name { get; set; }

    /// <summary>SHA-256 of the token, lowercase hex (as personal tokens are stored).</summary>
    public required string Hash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The administrator who made it (a user id).</summary>
    public long CreatedBy { get; set; }

    /// <summary>When a runner last presented it, to the minute.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>
/// A runner the server knows (issue 14): the built-in one registers itself at server start, a remote one with a runner
/// token. <see cref="LastHeartbeatAt"/> says when it was last heard from.
/// </summary>
public sealed class RunnerRecord
{
    public long Id { get; set; }

    /// <summary>Unique whatever its case.</summary>
    public required string Name { get; set; }

    /// <summary>The runner's Porthole version.</summary>
    public required string Version { get; set; }

    /// <summary>What jobs it can take (e.g. <c>linux</c>, <c>docker</c>, a resource class); stored as JSON.</summary>
    public List<string> Labels { get; set; } = [];

    /// <summary>How many nodes it runs at once.</summary>
    public int Capacity { get; set; }

    /// <summary>The host its nodes' SSH endpoints are advertised on.</summary>
    public required string Address { get; set; }

    /// <summary>The runner token it registered with; null for the built-in runner.</summary>
    public long? TokenId { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }

    public DateTimeOffset? LastHeartbeatAt { get; set; }
}
