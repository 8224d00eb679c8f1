using Cronos;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Porthole.Pipeline;
using Porthole.Data;

namespace Porthole.Server.Pipelines;

/// <summary>
/// The scheduled workflows of each project's branches (CircleCI's <c>triggers: schedule</c>, §A6): "the current branch's
/// config decides whether a schedule exists for that branch", so each successful compile of a branch's head replaces that
/// branch's set. A workflow kept with the same cron keeps its last slot; a new cron counts from now.
/// <see cref="Changed"/> tells <see cref="ScheduledTriggers"/> to look again.
/// </summary>
public sealed partial class ScheduleStore(IDbContextFactory<PortholeDb> databases, TimeProvider time, ILogger<ScheduleStore> logger)
{
    /// <summary>Raised after a set changed.</summary>
    public event EventHandler? Changed;

    /// <summary>Five fields, UTC (CircleCI's cron); null when <paramref name="cron"/> is not one.</summary>
    public static CronExpression? Parse(string cron)
    {
        try
        {
            return CronExpression.Parse(cron, CronFormat.Standard);
        }
        catch (CronFormatException)
        {
            return null;
        }
    }

    /// <summary>Makes <paramref name="triggers"/> the schedules of <paramref name="branch"/>; a cron that does not parse is left out (and logged).</summary>
    /// <param name="userId">Who the scheduled pipelines will be triggered by: the trigger of the pipeline whose config this is.</param>
    public async Task ReplaceAsync(long projectId, string branch, IReadOnlyList<ScheduleTrigger> triggers, long userId, CancellationToken ct)
    {
        var wanted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var trigger in triggers)
        {
            if (Parse(trigger.Cron) is null)
            {
                LogBadCron(logger, trigger.Workflow, branch, trigger.Cron);
                continue;
            }

            wanted[trigger.Workflow] = trigger.Cron;
        }

        await using var db = await databases.CreateDbContextAsync(ct);
        var existing = await db.Schedules.Where(s => s.ProjectId == projectId && s.Branch == branch).ToListAsync(ct);
        if (existing.Count == 0 && wanted.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var schedule in existing)
        {
            if (!wanted.TryGetValue(schedule.Workflow, out var cron))
            {
                db.Schedules.Remove(schedule);
                continue;
            }

            if (schedule.Cron != cron)
            {
                schedule.Cron = cron;
                schedule.Since = now;
            }

            if (schedule.TriggeredBy != userId)
            {
                schedule.TriggeredBy = userId;
            }
        }

        foreach (var (workflow, cron) in wanted.Where(w => existing.All(s => s.Workflow != w.Key)))
        {
            db.Schedules.Add(new ScheduleRecord
            {
                ProjectId = projectId,
                Branch = branch,
                Workflow = workflow,
                Cron = cron,
                Since = now,
                TriggeredBy = userId,
            });
        }

        if (!db.ChangeTracker.HasChanges())
        {
            return;
        }

        await db.SaveChangesAsync(ct);
        Changed?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>The first slot of <paramref name="schedule"/> after <paramref name="after"/>, or null (a cron that does not parse, or never again).</summary>
    public static DateTimeOffset? NextSlot(ScheduleRecord schedule, DateTimeOffset after)
    {
        var from = Max(after, schedule.Since);
        if (schedule.LastSlot is { } last)
        {
            from = Max(from, last);
        }

        return Parse(schedule.Cron)?.GetNextOccurrence(from, TimeZoneInfo.Utc, inclusive: false);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The schedule of workflow {Workflow} on branch {Branch} has a cron that is not five fields: '{Cron}'; it is left out")]
    private static partial void LogBadCron(ILogger logger, string workflow, string branch, string cron);
}
