using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Data;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Runners;

/// <summary>
/// Ends the nodes of runners that stopped heart-beating as infrastructure_fail. At start, on SQLite, it ends at once the
/// nodes that an earlier built-in runner of this data folder held: that runner died with its process. On PostgreSQL
/// other servers may share the database, and a built-in runner not this process's may be theirs and alive, so those
/// nodes end as any lost runner's do, when their lease runs out. Where the
/// project says so (<c>retry_lost_nodes</c>), such a node's job is retried once first (<see cref="LostNodeRetry"/>).
/// A lease that ran out while the database was unreachable is not the runner's fault (its heartbeats could not be
/// stored): no lease counts as run out until a whole lease duration after the database was last found unreachable
/// (<see cref="DatabaseAvailability"/>, decision 20). A sweep that fails (the database away) is tried again at the next
/// tick; it never ends the server.
/// </summary>
public sealed partial class LeaseSweeper(
    IDbContextFactory<PortholeDb> dbFactory,
    RunnerService runners,
    LostNodeRetry retry,
    StateLock stateLock,
    Data.ServerDatabase database,
    DatabaseAvailability availability,
    IOptions<PortholeOptions> options,
    TimeProvider time,
    ILogger<LeaseSweeper> logger) : BackgroundService
{
    public const string BuiltInRunnerPrefix = "builtin:";

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>The name the built-in runner of this process leases with.</summary>
    public static string BuiltInRunnerName { get; } = BuiltInRunnerPrefix + Guid.NewGuid().ToString("N")[..12];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The start's sweep (an earlier built-in runner's orphans) is repeated at each tick until one went through.
        var startup = !await TrySweepAsync(startup: true, stoppingToken);
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            startup &= !await TrySweepAsync(startup, stoppingToken);
        }
    }

    public async Task SweepAsync(bool startup, CancellationToken ct)
    {
        using var held = await stateLock.EnterAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        // Heartbeats may have failed until the database came back: each runner gets a whole lease from then to be heard.
        var afterOutage = availability.LastUnreachableAt is { } away && now < away + options.Value.LeaseDuration;
        var running = await db.Nodes.Where(n => n.Status == Status.Running).ToListAsync(ct);
        foreach (var node in running)
        {
            var orphan = startup && database.IsSqlite && node.RunnerName is { } name && name.StartsWith(BuiltInRunnerPrefix, StringComparison.Ordinal) && name != BuiltInRunnerName;
            var expired = node.LeaseExpiresAt is { } expires && expires < now && !afterOutage;
            if (orphan || expired)
            {
                var reason = orphan ? "the server restarted while this node ran" : Lost(node, now);

                // The retry first: the lost attempt's end then no longer decides the job, nor releases its dependents.
                var then = await retry.RetryAsync(db, node, restarted: orphan, ct);
                LogAbandoned(logger, node.Id, reason + then);
                await runners.AbandonAsync(db, node, reason, ct, then);
            }
        }
    }

    /// <summary>One sweep; false when it failed (logged: once per outage when the database is away, else with the exception).</summary>
    private async Task<bool> TrySweepAsync(bool startup, CancellationToken ct)
    {
        try
        {
            await SweepAsync(startup, ct);
            availability.Answered();
            return true;
        }
        catch (Exception e) when (DatabaseFaults.IsUnreachable(e))
        {
            availability.Unreachable("the lease sweeper", e);
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogSweepFailed(logger, e);
            return false;
        }
    }

    /// <summary>Which runner went silent and when it was last heard (its last heartbeat set the lease to then + LeaseDuration).</summary>
    private string Lost(NodeRecord node, DateTimeOffset now)
    {
        var runner = node.RunnerName is { } name ? $"the runner {name}" : "the runner";
        if (node.LeaseExpiresAt is not { } expires)
        {
            return $"{runner} stopped heart-beating";
        }

        var heard = expires - options.Value.LeaseDuration;
        var ago = (int)Math.Round((now - heard).TotalSeconds);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{runner} stopped heart-beating: last heard at {heard.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {ago} s before");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A sweep of expired leases failed; the next is in 5 s")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} ended as infrastructure_fail: {Reason}")]
    private static partial void LogAbandoned(ILogger logger, long nodeId, string reason);
}
