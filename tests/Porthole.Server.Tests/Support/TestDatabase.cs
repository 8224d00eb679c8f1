using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Porthole.Data;
using Porthole.Data.PostgreSql;
using Porthole.Data.Sqlite;

namespace Porthole.Server.Tests.Support;

/// <summary>
/// Which database the test servers (<see cref="RunningServer"/>, <see cref="JobData.JobDataServer"/>) keep their state in:
/// SQLite in their data folder, or, with <c>PORTHOLE_TEST_DATABASE=postgresql</c>, a database of one PostgreSQL cluster
/// this test process starts on first need (stopped by <see cref="PostgresCluster.StopWhenGone"/> once the process is gone), one database per data folder (so a restart on the same
/// folder finds its data). The same tests then run against PostgreSQL: e.g.
/// <c>PORTHOLE_TEST_DATABASE=postgresql dotnet test tests/Porthole.Server.Tests --filter FullyQualifiedName~Pipelines</c>.
/// Tests that open porthole.db themselves are SQLite's only.
/// </summary>
public static class TestDatabase
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Databases = new(StringComparer.Ordinal);
    private static readonly Lazy<Task<PostgresCluster>> Cluster = new(StartClusterAsync);
    private static readonly ConcurrentDictionary<string, bool> SqliteFolders = new(StringComparer.Ordinal);

    /// <summary>
    /// The server on <paramref name="dataDirectory"/> keeps SQLite even in a PostgreSQL run: for a test about SQLite's own
    /// file (its modes, its corruption, a row written into it behind the server's back).
    /// </summary>
    public static void KeepOnSqlite(string dataDirectory) => SqliteFolders[Path.GetFullPath(dataDirectory)] = true;

    /// <summary>True when the servers of this test run use PostgreSQL.</summary>
    public static bool IsPostgreSql =>
        string.Equals(Environment.GetEnvironmentVariable("PORTHOLE_TEST_DATABASE"), "postgresql", StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection string for a server on <paramref name="dataDirectory"/>, or null for SQLite there.</summary>
    public static async Task<string?> ForAsync(string dataDirectory)
    {
        if (!IsPostgreSql)
        {
            return null;
        }

        var key = Path.GetFullPath(dataDirectory);
        if (SqliteFolders.ContainsKey(key))
        {
            return null;
        }

        return await Databases.GetOrAdd(key, _ => new Lazy<Task<string>>(async () => await (await Cluster.Value).CreateDatabaseAsync())).Value;
    }

    /// <summary>The database a test server on <paramref name="dataDirectory"/> keeps, opened as the server opens it: SQLite in the folder, or its PostgreSQL database.</summary>
    public static async Task<PortholeDb> OpenAsync(string dataDirectory)
    {
        var builder = new DbContextOptionsBuilder<PortholeDb>();
        if (await ForAsync(dataDirectory) is { } postgreSql)
        {
            builder.UsePortholePostgreSql(postgreSql);
        }
        else
        {
            builder.UsePortholeSqlite(Path.Combine(dataDirectory, "porthole.db"));
        }

        return new PortholeDb(builder.Options);
    }

    private static async Task<PostgresCluster> StartClusterAsync()
    {
        var cluster = new PostgresCluster();
        await cluster.InitializeAsync();
        // The test host is ended by its runner without exit handlers: a watcher stops the cluster once this process is gone.
        cluster.StopWhenGone(Environment.ProcessId);
        return cluster;
    }
}
