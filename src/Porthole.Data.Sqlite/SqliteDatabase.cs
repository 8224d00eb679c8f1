using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Porthole.Data.Sqlite;

/// <summary>
/// Porthole's data in one SQLite file (the default, R-SC-1): the options that open it, with this project's migrations
/// and its model details (<see cref="SqliteModelCustomizer"/>).
/// </summary>
public static class SqliteDatabase
{
    /// <summary>SQLite's extended result code family for a broken constraint (unique, not null, foreign key).</summary>
    private const int ConstraintFailed = 19;

    /// <summary>Configures <paramref name="builder"/> for the SQLite file at <paramref name="databasePath"/>.</summary>
    public static DbContextOptionsBuilder UsePortholeSqlite(this DbContextOptionsBuilder builder, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var connection = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Cache = SqliteCacheMode.Shared,
            DefaultTimeout = 30,
        };
        return builder
            .UseSqlite(connection.ToString(), sqlite => sqlite.MigrationsAssembly(typeof(SqliteDatabase).Assembly.GetName().Name))
            .ReplaceService<IModelCustomizer, SqliteModelCustomizer>();
    }

    /// <summary>As the other overload, for options of one context type (<c>new DbContextOptionsBuilder&lt;PortholeDb&gt;()</c>).</summary>
    public static DbContextOptionsBuilder<TContext> UsePortholeSqlite<TContext>(this DbContextOptionsBuilder<TContext> builder, string databasePath)
        where TContext : DbContext
    {
        UsePortholeSqlite((DbContextOptionsBuilder)builder, databasePath);
        return builder;
    }

    /// <summary>Whether <paramref name="db"/> is kept in SQLite.</summary>
    public static bool IsSqlite(PortholeDb db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.IsSqlite();
    }

    /// <summary>
    /// Options like <paramref name="db"/>'s but whose connections have a cache of their own instead of the shared one, so a
    /// long writer does not lock its tables for the readers (WAL's readers-never-wait holds between caches only). For a
    /// database that is not SQLite, <paramref name="db"/>'s options as they are.
    /// </summary>
    public static DbContextOptions<PortholeDb> PrivateCacheOptions(PortholeDb db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var inherited = (DbContextOptions<PortholeDb>)db.GetService<IDbContextOptions>();
        if (!db.Database.IsSqlite())
        {
            return inherited;
        }

        var connection = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()) { Cache = SqliteCacheMode.Private };
        return new DbContextOptionsBuilder<PortholeDb>(inherited).UseSqlite(connection.ToString()).Options;
    }

    /// <summary>Write-ahead logging, so readers never wait for the writer; once per database, when it is migrated.</summary>
    public static Task UseWriteAheadLogAsync(PortholeDb db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }

    /// <summary>Whether <paramref name="exception"/> (or what it wraps) is SQLite refusing a row that breaks a constraint.</summary>
    public static bool IsConstraintViolation(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: ConstraintFailed })
            {
                return true;
            }
        }

        return false;
    }
}
