using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Runners;

/// <summary>
/// Ends the nodes of runners that stopped heart-beating as infrastructure_fail. At start it ends at once the
/// nodes that an earlier built-in runner of this data folder held: that runner died with its process. Where the
/// project says so (<c>retry_lost_nodes</c>), such a node's job is retried once first (<see cref="LostNodeRetry"/>).
/// </summary>
public sealed partial class LeaseSweeper(
    IDbContextFactory<PortholeDb> dbFactory,
    RunnerService runners,
    LostNodeRetry retry,
    StateLock stateLock,
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
        await SweepAsync(startup: true, stoppingToken);
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await SweepAsync(startup: false, stoppingToken);
        }
    }

    public async Task SweepAsync(bool startup, CancellationToken ct)
    {
        using var held = await stateLock.EnterAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        var running = await db.Nodes.Where(n => n.Status == Status.Running).ToListAsync(ct);
        foreach (var node in running)
        {
            var orphan = startup && node.RunnerName is { } name && name.StartsWith(BuiltInRunnerPrefix, StringComparison.Ordinal) && name != BuiltInRunnerName;
            var expired = node.LeaseExpiresAt is { } expires && expires < now;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} ended as infrastructure_fail: {Reason}")]
    private static partial void LogAbandoned(ILogger logger, long nodeId, string reason);
}
