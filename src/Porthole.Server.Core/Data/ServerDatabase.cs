using Microsoft.EntityFrameworkCore;
using Porthole.Data;
using Porthole.Data.PostgreSql;
using Porthole.Data.Sqlite;

namespace Porthole.Server.Data;

/// <summary>
/// Which database keeps the server's state: <c>Porthole:Database</c> (<c>porthole server --db</c>) empty means SQLite in
/// the data folder (the default, R-SC-1); otherwise a PostgreSQL connection string, as Npgsql's keywords or a
/// <c>postgres://</c> URL. Read once at start: a malformed one stops the server there with a
/// <see cref="DatabaseSettingException"/>, whose message never repeats the value.
/// </summary>
public sealed class ServerDatabase
{
    private readonly string? _postgreSql;
    private readonly string _sqlitePath;

    private ServerDatabase(string? postgreSql, string sqlitePath)
    {
        _postgreSql = postgreSql;
        _sqlitePath = sqlitePath;
    }

    /// <summary>True for SQLite in the data folder; false for PostgreSQL.</summary>
    public bool IsSqlite => _postgreSql is null;

    /// <summary>Where the data is, for the log; never a password.</summary>
    public string Description => _postgreSql is null ? $"SQLite file {_sqlitePath}" : PostgreSqlConnectionString.Describe(_postgreSql);

    /// <summary>The database of <paramref name="setting"/> (<c>Porthole:Database</c>), or SQLite at <paramref name="sqlitePath"/> when it is empty.</summary>
    public static ServerDatabase Of(string? setting, string sqlitePath)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return new ServerDatabase(null, sqlitePath);
        }

        try
        {
            return new ServerDatabase(PostgreSqlConnectionString.Parse(setting), sqlitePath);
        }
        catch (FormatException e)
        {
            throw new DatabaseSettingException($"{PortholeOptions.Section}:{nameof(PortholeOptions.Database)} (--db): {e.Message}");
        }
    }

    /// <summary>The key of the lock that serialises state changes across servers (<see cref="Pipelines.StateLock"/>).</summary>
    public const long StateLockKey = 0x506f7274686f6c65; // "Porthole"

    /// <summary>
    /// On PostgreSQL, the lock every server on the database takes before changing pipeline, job and node states; null on
    /// SQLite, where the server is the only one.
    /// </summary>
    public async Task<IDisposable?> LockAcrossServersAsync(CancellationToken ct) =>
        _postgreSql is null ? null : await PostgreSqlAdvisoryLock.AcquireAsync(_postgreSql, StateLockKey, ct);

    /// <summary>
    /// On PostgreSQL, the lock of one node's log across servers, held while an append checks the length and writes
    /// (<see cref="Logs.LogStore"/>); null on SQLite, where this process's own gate is enough.
    /// </summary>
    public Task<IDisposable?> LockNodeLogAsync(long nodeId, CancellationToken ct) => LockAsync(NodeLogLockKeys, nodeId, ct);

    /// <summary>
    /// On PostgreSQL, the turn of one project's triggers across servers: its next pipeline number is read before its
    /// config is compiled (<see cref="Pipelines.PipelineTrigger"/>); null on SQLite, where this process's own gate is enough.
    /// </summary>
    public Task<IDisposable?> LockProjectTriggersAsync(long projectId, CancellationToken ct) => LockAsync(ProjectTriggerLockKeys, projectId, ct);

    /// <summary>
    /// On PostgreSQL, one project's repository mirror across servers, held while it is cloned or fetched
    /// (<see cref="Projects.ProjectRepositories"/>): servers on one database share the data folder, and two gits writing one
    /// mirror fail on each other's ref locks, or worse, one's failed clone deletes the other's. Null on SQLite.
    /// </summary>
    public Task<IDisposable?> LockProjectMirrorAsync(long projectId, CancellationToken ct) => LockAsync(ProjectMirrorLockKeys, projectId, ct);

    /// <summary>The first keys of the per-row locks: three letters in the top bytes, the row's id in the rest.</summary>
    private const long NodeLogLockKeys = 0x4C4F47L << 40; // "LOG"

    private const long ProjectTriggerLockKeys = 0x545247L << 40; // "TRG"

    private const long ProjectMirrorLockKeys = 0x474954L << 40; // "GIT"

    private async Task<IDisposable?> LockAsync(long keys, long id, CancellationToken ct) =>
        _postgreSql is null ? null : await PostgreSqlAdvisoryLock.AcquireAsync(_postgreSql, keys | (id & ((1L << 40) - 1)), ct);

    /// <summary>The PostgreSQL connection string, for a connection of the server's own (LISTEN); null on SQLite. Never logged.</summary>
    internal string? PostgreSqlConnection => _postgreSql;

    /// <summary>Configures <paramref name="builder"/> for this database, with its provider's migrations and model details.</summary>
    public void Configure(DbContextOptionsBuilder builder)
    {
        if (_postgreSql is null)
        {
            builder.UsePortholeSqlite(_sqlitePath);
        }
        else
        {
            builder.UsePortholePostgreSql(_postgreSql);
        }
    }

    /// <summary>Whether <paramref name="exception"/> is the database refusing a row that breaks a constraint (a unique key taken).</summary>
    public static bool IsConstraintViolation(Exception exception) =>
        SqliteDatabase.IsConstraintViolation(exception) || PostgreSqlDatabase.IsConstraintViolation(exception);

    /// <summary>Once the database is migrated: what its provider wants then (SQLite: write-ahead logging).</summary>
    public Task AfterMigrationAsync(PortholeDb db, CancellationToken ct) =>
        IsSqlite ? SqliteDatabase.UseWriteAheadLogAsync(db, ct) : Task.CompletedTask;
}

/// <summary>The database setting cannot be used (a malformed connection string or URL); the message says why, without the value.</summary>
public sealed class DatabaseSettingException : Exception
{
    public DatabaseSettingException(string message)
        : base(message)
    {
    }

    public DatabaseSettingException()
    {
    }

    public DatabaseSettingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
