using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Porthole.Server.Data;

/// <summary>
/// What this server has seen of its database being away: when it was last found unreachable (by a request, <c>/readyz</c>
/// or a background loop, see <see cref="DatabaseFaults"/>). The lease sweeper reads it, so that after an outage every runner
/// has a whole lease to be heard again before its nodes count as lost (decision 20); and an outage is logged once when it
/// is first seen and once when the database answers again, not at every call that failed meanwhile.
/// </summary>
public sealed partial class DatabaseAvailability(TimeProvider time, ILogger<DatabaseAvailability> logger)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _outageSeenAt;
    private DateTimeOffset? _lastUnreachableAt;

    /// <summary>When the database was last found unreachable; null if never, since this server started.</summary>
    public DateTimeOffset? LastUnreachableAt
    {
        get
        {
            lock (_gate)
            {
                return _lastUnreachableAt;
            }
        }
    }

    /// <summary>Whether an outage was seen and nothing has found the database answering since.</summary>
    public bool Away
    {
        get
        {
            lock (_gate)
            {
                return _outageSeenAt is not null;
            }
        }
    }

    /// <summary>
    /// Configures <paramref name="builder"/> with <paramref name="configure"/> (the provider), and EF Core's own events of a
    /// failed command, query, connection or save at Debug: each repeats, with a stack trace per call, what is said once
    /// elsewhere; a request that fails is logged by the exception handler (a 500), or is the database being away (a 503, said
    /// once here); a background loop logs its own failures.
    /// </summary>
    public static void LogFailuresOnce(Action<DbContextOptionsBuilder> configure, DbContextOptionsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(builder);
        configure(builder);
        builder.ConfigureWarnings(w => w.Log(
            (RelationalEventId.CommandError, LogLevel.Debug),
            (RelationalEventId.ConnectionError, LogLevel.Debug),
            (CoreEventId.QueryIterationFailed, LogLevel.Debug),
            (CoreEventId.SaveChangesFailed, LogLevel.Debug)));
    }

    /// <summary><paramref name="who"/> found the database unreachable (<paramref name="fault"/>, as <see cref="DatabaseFaults.Describe"/> says).</summary>
    public void Unreachable(string who, Exception fault)
    {
        var now = time.GetUtcNow();
        bool first;
        lock (_gate)
        {
            _lastUnreachableAt = now;
            first = _outageSeenAt is null;
            _outageSeenAt ??= now;
        }

        if (first)
        {
            LogUnreachable(logger, who, DatabaseFaults.Describe(fault) ?? fault.GetType().Name, DatabaseFaults.RetryAfterSeconds);
        }
    }

    /// <summary>The database answered (a sweep or a readiness check went through): an outage seen before has ended.</summary>
    public void Answered()
    {
        DateTimeOffset? seenAt;
        lock (_gate)
        {
            seenAt = _outageSeenAt;
            _outageSeenAt = null;
        }

        if (seenAt is { } since)
        {
            LogAnswers(logger, Math.Round((time.GetUtcNow() - since).TotalSeconds, 1));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database cannot be reached ({Fault}, seen by {Who}): requests that need it are answered 503 with Retry-After: {RetryAfter} and background work tries again at its next turn")]
    private static partial void LogUnreachable(ILogger logger, string who, string fault, int retryAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database answers again, {Seconds} s after it was first found unreachable")]
    private static partial void LogAnswers(ILogger logger, double seconds);
}
