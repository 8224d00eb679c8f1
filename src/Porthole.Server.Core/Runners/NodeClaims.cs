using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Data;

namespace Porthole.Server.Runners;

/// <summary>What a claim writes on the node it takes: the runner, the lease token's hash, when it started and until when it holds.</summary>
public readonly record struct NodeClaim(string RunnerName, long? RunnerId, string LeaseTokenHash, DateTimeOffset StartedAt, DateTimeOffset LeaseExpiresAt);

/// <summary>
/// Takes one queued node for a runner, so that a node is leased by exactly one runner, ever (issue 14): the first of
/// <c>candidates</c> still queued becomes running in one statement. On PostgreSQL, where the runners of several servers
/// race for the same oldest node, the row is picked with <c>FOR UPDATE SKIP LOCKED</c>: a runner passes over a node
/// another is taking instead of waiting for it. On SQLite, the only writer, a conditional update is enough.
/// </summary>
public sealed class NodeClaims(ServerDatabase database)
{
    private const string ClaimSql = """
        UPDATE "Nodes" SET "Status" = @running, "RunnerName" = @runnerName, "RunnerId" = @runnerId,
            "LeaseTokenHash" = @leaseTokenHash, "StartedAt" = @startedAt, "LeaseExpiresAt" = @leaseExpiresAt
        WHERE "Id" = (SELECT "Id" FROM "Nodes" WHERE "Id" = ANY(@candidates) AND "Status" = @queued
                      ORDER BY "Id" LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING "Id"
        """;

    /// <summary>The node claimed, or null when every candidate was taken (or ended) meanwhile.</summary>
    public async Task<long?> ClaimAsync(PortholeDb db, IReadOnlyList<long> candidates, NodeClaim claim, CancellationToken ct)
    {
        if (!database.IsSqlite)
        {
            return await ClaimSkippingLockedAsync(db, candidates, claim, ct);
        }

        foreach (var id in candidates)
        {
            var taken = await db.Nodes
                .Where(n => n.Id == id && n.Status == Status.Queued)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(n => n.Status, Status.Running)
                        .SetProperty(n => n.RunnerName, claim.RunnerName)
                        .SetProperty(n => n.RunnerId, claim.RunnerId)
                        .SetProperty(n => n.LeaseTokenHash, claim.LeaseTokenHash)
                        .SetProperty(n => n.StartedAt, claim.StartedAt)
                        .SetProperty(n => n.LeaseExpiresAt, claim.LeaseExpiresAt),
                    ct);
            if (taken == 1)
            {
                return id;
            }
        }

        return null;
    }

    private static async Task<long?> ClaimSkippingLockedAsync(PortholeDb db, IReadOnlyList<long> candidates, NodeClaim claim, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = ClaimSql;
            Add(command, "running", Status.Running);
            Add(command, "queued", Status.Queued);
            Add(command, "runnerName", claim.RunnerName);
            Add(command, "runnerId", claim.RunnerId);
            Add(command, "leaseTokenHash", claim.LeaseTokenHash);
            Add(command, "startedAt", claim.StartedAt);
            Add(command, "leaseExpiresAt", claim.LeaseExpiresAt);
            Add(command, "candidates", candidates.ToArray());
            return await command.ExecuteScalarAsync(ct) is long id ? id : null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
