using System.Collections.Concurrent;

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
        return await Databases.GetOrAdd(key, _ => new Lazy<Task<string>>(async () => await (await Cluster.Value).CreateDatabaseAsync())).Value;
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
