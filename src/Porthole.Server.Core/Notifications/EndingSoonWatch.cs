using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Porthole.Contracts.Api;
using Porthole.Data;

namespace Porthole.Server.Notifications;

/// <summary>
/// Every <see cref="Interval"/> (on the injected clock) looks at the SSH nodes of projects with a notification webhook
/// whose sshd is up and whose wait ends within <see cref="Warning"/>, and posts <c>ending_soon</c> once per end: again
/// only for an end at least <see cref="Warning"/> after the one announced (an extension, a later session's grace), so
/// a quick <c>ssh … -- cmd</c> then <c>scp</c> is not announced twice. The announced end is claimed in the database
/// (<see cref="NodeRecord.SshEndingNotifiedFor"/>), so of several servers one sends it.
/// </summary>
public sealed partial class EndingSoonWatch(
    IDbContextFactory<PortholeDb> dbFactory,
    NotificationQueue queue,
    TimeProvider time,
    ILogger<EndingSoonWatch> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan Warning = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await LookAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The database away: tried again at the next tick.
                LogFailed(logger, e.GetType().Name);
            }
        }
    }

    public async Task LookAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var waiting = await (from n in db.Nodes
                             where n.Status == Status.Running && n.SshEndsAt != null && n.SshPort != null
                             join j in db.Jobs on n.JobId equals j.Id
                             join p in db.Pipelines on j.PipelineId equals p.Id
                             join w in db.ProjectNotifications on p.ProjectId equals w.ProjectId
                             select new { n.Id, n.SshEndsAt, n.SshEndingNotifiedFor }).ToListAsync(ct);
        var now = time.GetUtcNow();
        foreach (var node in waiting)
        {
            var endsAt = node.SshEndsAt!.Value;
            if (endsAt - now > Warning || (node.SshEndingNotifiedFor is { } announced && endsAt - announced < Warning))
            {
                continue;
            }

            var claimed = await db.Nodes
                .Where(n => n.Id == node.Id && n.SshEndingNotifiedFor == node.SshEndingNotifiedFor)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.SshEndingNotifiedFor, endsAt), ct);
            if (claimed == 1)
            {
                queue.Post(new NodeNotice(node.Id, NotificationEvents.EndingSoon, now, endsAt));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for SSH nodes about to end failed ({Error}); tried again shortly")]
    private static partial void LogFailed(ILogger logger, string error);
}
