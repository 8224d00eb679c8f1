using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Porthole.Pipeline;
using Porthole.Data;

namespace Porthole.Server.Pipelines;

/// <summary>
/// Fires scheduled workflows (§A6): at each slot of a schedule's cron (UTC), a pipeline of its branch's head with trigger
/// source <c>schedule</c> and <c>pipeline.schedule.name</c> = the workflow, which the compiler then keeps alone. A slot is
/// claimed in the database (<see cref="ScheduleRecord.LastSlot"/>, a conditional update) before its pipeline is triggered,
/// so it fires at most once, whatever restarts or second instances there are. A slot missed while the server was down is
/// fired late if the server is back within <see cref="LateGrace"/> (CircleCI's schedules may run 15 minutes late too), only
/// the newest such slot, and never one from before the schedule was stored.
/// </summary>
/// <remarks>
/// One timer of the <see cref="TimeProvider"/>, set to the next slot of all schedules (at most <see cref="LongestWait"/>
/// away), and set again whenever <see cref="ScheduleStore.Changed"/> says a branch's set changed.
/// </remarks>
public sealed partial class ScheduledTriggers(
    IDbContextFactory<PortholeDb> databases, PipelineTrigger trigger, ScheduleStore store, TimeProvider time, ILogger<ScheduledTriggers> logger)
    : IHostedService, IDisposable
{
    public static readonly TimeSpan LateGrace = TimeSpan.FromMinutes(15);

    public static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    /// <summary>How soon a pass is tried again after one failed because the database could not be reached.</summary>
    public static readonly TimeSpan DatabaseRetry = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private Task _run = Task.CompletedTask;
    private bool _running;
    private bool _again;
    private long _passes;
    private bool _databaseAway;

    /// <summary>How many passes over the schedules have ended (each fires what is due, then sets the timer).</summary>
    public long CompletedPasses => Interlocked.Read(ref _passes);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        store.Changed += OnChanged;

        // Made stopped, then started: a timer may call back before CreateTimer returns, and the pass sets it again.
        var timer = time.CreateTimer(_ => Wake(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            _timer = timer;
        }

        timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        store.Changed -= OnChanged;
        Task run;
        lock (_gate)
        {
            _stopping.Cancel();
            _timer?.Dispose();
            run = _run;
        }

        await run.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Stops the timer; safe to call more than once (the container disposes it as itself and as a hosted service).</summary>
    public void Dispose()
    {
        store.Changed -= OnChanged;
        lock (_gate)
        {
            if (!_stopping.IsCancellationRequested)
            {
                _stopping.Cancel();
            }

            _timer?.Dispose();
        }
    }

    private void OnChanged(object? sender, EventArgs e) => Wake();

    private void Wake()
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            if (_running)
            {
                _again = true;
                return;
            }

            _running = true;
            _run = Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            TimeSpan wait;
            var away = false;
            try
            {
                wait = await FireDueAsync(_stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                wait = LongestWait;
            }
            catch (Exception e) when (Data.DatabaseFaults.IsUnreachable(e))
            {
                // Said once per outage (passes run one at a time); a slot due meanwhile fires late, within LateGrace.
                if (!_databaseAway)
                {
                    LogDatabaseAway(logger, Data.DatabaseFaults.Describe(e)!, DatabaseRetry.TotalSeconds);
                }

                away = true;
                wait = DatabaseRetry;
            }
#pragma warning disable CA1031 // A failed pass (the database busy, a bug) must not end the schedules: the next pass tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogPassFailed(logger, e);
                wait = TimeSpan.FromMinutes(1);
            }

            _databaseAway = away;
            lock (_gate)
            {
                if (_again && !_stopping.IsCancellationRequested)
                {
                    _again = false;
                    Interlocked.Increment(ref _passes);
                    continue;
                }

                _running = false;
                if (!_stopping.IsCancellationRequested)
                {
                    _timer?.Change(wait, Timeout.InfiniteTimeSpan);
                }

                // Counted once the timer is set: whoever waits for a pass and then moves the clock finds the timer there.
                Interlocked.Increment(ref _passes);
                return;
            }
        }
    }

    /// <summary>Fires every schedule whose slot is due; returns how long until the next slot of any.</summary>
    private async Task<TimeSpan> FireDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var db = await databases.CreateDbContextAsync(ct);
        var schedules = await db.Schedules.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
        foreach (var schedule in schedules)
        {
            if (DueSlot(schedule, now) is { } slot && await ClaimAsync(db, schedule, slot, now, ct))
            {
                await FireAsync(db, schedule, slot, ct);
            }
        }

        var after = time.GetUtcNow();
        var next = schedules.Select(s => ScheduleStore.NextSlot(s, after)).Where(s => s is not null).Min();
        return next is { } slotAt && slotAt - after < LongestWait ? Max(slotAt - after, TimeSpan.Zero) : LongestWait;
    }

    /// <summary>The newest slot in (max(since, last slot, now − grace), now], or null.</summary>
    private static DateTimeOffset? DueSlot(ScheduleRecord schedule, DateTimeOffset now)
    {
        var cron = ScheduleStore.Parse(schedule.Cron);
        if (cron is null)
        {
            return null;
        }

        var from = Max(schedule.Since, now - LateGrace);
        if (schedule.LastSlot is { } last && last > from)
        {
            from = last;
        }

        if (from >= now)
        {
            return null;
        }

        DateTimeOffset? due = null;
        foreach (var slot in cron.GetOccurrences(from, now, TimeZoneInfo.Utc, fromInclusive: false, toInclusive: true))
        {
            due = slot;
        }

        return due;
    }

    /// <summary>Takes the slot for this process, or learns that someone (an earlier run of the server) took it already.</summary>
    private static async Task<bool> ClaimAsync(PortholeDb db, ScheduleRecord schedule, DateTimeOffset slot, DateTimeOffset now, CancellationToken ct) =>
        await db.Schedules
            .Where(s => s.Id == schedule.Id && s.Cron == schedule.Cron && (s.LastSlot == null || s.LastSlot < slot))
            .ExecuteUpdateAsync(
                s => s.SetProperty(x => x.LastSlot, slot).SetProperty(x => x.LastRunAt, now).SetProperty(x => x.LastError, (string?)null),
                ct) == 1;

    private async Task FireAsync(PortholeDb db, ScheduleRecord schedule, DateTimeOffset slot, CancellationToken ct)
    {
        long? pipelineId = null;
        string? error;
        try
        {
            var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == schedule.ProjectId, ct);
            if (project is null)
            {
                return;
            }

            var input = new TriggerInput
            {
                Branch = schedule.Branch,
                Source = TriggerSources.Schedule,
                ScheduleName = schedule.Workflow,
                ScheduleId = schedule.Id.ToString(CultureInfo.InvariantCulture),
            };
            var (pipeline, refusal) = await trigger.TriggerAsync(db, project, input, schedule.TriggeredBy, ct);
            pipelineId = pipeline?.Id;
            error = refusal?.Detail;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            error = "The server stopped while this slot's pipeline was being made.";
        }
#pragma warning disable CA1031 // One schedule's failure is recorded on it; the others still fire.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFireFailed(logger, e, schedule.Workflow, schedule.Branch);
            error = $"The pipeline could not be made ({e.GetType().Name}); the server's log has the details.";
        }

        if (pipelineId is { } id)
        {
            LogFired(logger, schedule.Workflow, schedule.Branch, slot, id);
        }
        else
        {
            LogRefused(logger, schedule.Workflow, schedule.Branch, slot, error ?? "");
        }

        await db.Schedules.Where(s => s.Id == schedule.Id && s.LastSlot == slot)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastPipelineId, pipelineId).SetProperty(x => x.LastError, error), CancellationToken.None);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled workflow {Workflow} on {Branch}, slot {Slot:u}: pipeline {PipelineId}")]
    private static partial void LogFired(ILogger logger, string workflow, string branch, DateTimeOffset slot, long pipelineId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled workflow {Workflow} on {Branch}, slot {Slot:u}: no pipeline: {Reason}")]
    private static partial void LogRefused(ILogger logger, string workflow, string branch, DateTimeOffset slot, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled workflow {Workflow} on {Branch} failed to trigger")]
    private static partial void LogFireFailed(ILogger logger, Exception exception, string workflow, string branch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A pass over the schedules failed: the database cannot be reached ({Fault}); trying again every {Seconds} s")]
    private static partial void LogDatabaseAway(ILogger logger, string fault, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "A pass over the schedules failed; the next is in a minute")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
