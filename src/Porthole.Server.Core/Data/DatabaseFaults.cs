using System.Net.Sockets;
using Npgsql;

namespace Porthole.Server.Data;

/// <summary>
/// Recognises "the database cannot be reached": PostgreSQL stopped, restarting, refusing connections or cut off mid-query.
/// Such a failure is the database's, not the request's: the server answers it with 503 and <c>Retry-After</c>
/// (<see cref="DatabaseUnavailableHandler"/>), and its background loops try again at their next tick. EF Core wraps these
/// (<c>DbUpdateException</c>, the execution strategy's <c>InvalidOperationException</c> and <c>RetryLimitExceededException</c>),
/// so the whole chain of inner exceptions is looked at. SQLite's busy or locked database is not such a failure: the file is
/// there, a writer holds it.
/// </summary>
public static class DatabaseFaults
{
    /// <summary>What a client is told to wait (<c>Retry-After</c>) before asking again while the database is away.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>Whether <paramref name="exception"/>, or what it wraps, is the database being unreachable.</summary>
    public static bool IsUnreachable(Exception? exception) => Fault(exception) is not null;

    /// <summary>
    /// One line for the log naming the fault by its types and SQLSTATE only (never a message that could carry a connection
    /// string), or null when <paramref name="exception"/> is not the database being unreachable.
    /// </summary>
    public static string? Describe(Exception? exception) => Fault(exception) switch
    {
        null => null,
        PostgresException postgres => $"PostgreSQL {postgres.SqlState} ({Name(postgres.SqlState)})",
        var npgsql => npgsql.InnerException is { } inner ? $"{npgsql.GetType().Name} ({Cause(inner)})" : npgsql.GetType().Name,
    };

    /// <summary>The exception in the chain that says the database is away, or null.</summary>
    private static NpgsqlException? Fault(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 16; depth++)
        {
            switch (exception)
            {
                // The server said so itself: shutting down, crashed, starting up, or a connection-level error (class 08).
                case PostgresException postgres:
                    return IsConnectionState(postgres.SqlState) ? postgres : null;

                // The client's side: no connection, the connection cut (end of stream, reset), no answer in time.
                case NpgsqlException npgsql when npgsql.InnerException is IOException or SocketException or TimeoutException:
                    return npgsql;

                case AggregateException aggregate:
                    return aggregate.InnerExceptions.Select(Fault).FirstOrDefault(f => f is not null);
            }

            exception = exception.InnerException;
        }

        return null;
    }

    private static bool IsConnectionState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow;

    private static string Name(string sqlState) => sqlState switch
    {
        PostgresErrorCodes.AdminShutdown => "the database was shut down",
        PostgresErrorCodes.CrashShutdown => "the database crashed",
        PostgresErrorCodes.CannotConnectNow => "the database is starting or stopping",
        _ => "a connection error",
    };

    private static string Cause(Exception inner) => inner switch
    {
        SocketException socket => $"{nameof(SocketException)} {socket.SocketErrorCode}",
        _ => inner.GetType().Name,
    };
}
