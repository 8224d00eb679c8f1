using Npgsql;

namespace Porthole.Server.Tests.Support;

/// <summary>
/// A PostgreSQL cluster of the test's own (issue 14), as an xunit fixture over <see cref="PostgresServer"/> (tests/Shared:
/// <c>initdb</c> into a temporary folder, <c>pg_ctl start</c> on a free loopback port, stopped and removed on dispose):
/// a database per test (<see cref="CreateDatabaseAsync"/>), and <see cref="StopAsync"/>/<see cref="StartAgainAsync"/> for a
/// test of the database going away.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private PostgresServer? _server;
    private int _databases;

    public int Port => Server.Port;

    /// <summary>The connection string of the cluster's own <c>postgres</c> database (for making others).</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    private PostgresServer Server => _server ?? throw new InvalidOperationException("The cluster is not started.");

    /// <summary>Npgsql's keywords for <paramref name="database"/> of this cluster, as the server is given them.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(Server.ConnectionString(database))
        {
            Pooling = true,

            // A test process starts hundreds of servers, a database each, and a pool outlives its server: idle
            // connections are closed within seconds, not Npgsql's 5 minutes, so the cluster's connections last.
            ConnectionIdleLifetime = 2,
            ConnectionPruningInterval = 1,
        }.ConnectionString;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    /// <summary>A new empty database of this cluster; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Stops the cluster as an administrator does (<c>pg_ctl stop -m fast</c>: open sessions are ended).</summary>
    public Task StopAsync() => Server.StopAsync("fast");

    /// <summary>
    /// Starts the stopped cluster again on its port; returns once it takes connections. The test process's pooled
    /// connections died with the stop: they are let go, so the fixture's next <see cref="CreateDatabaseAsync"/> opens a fresh one.
    /// </summary>
    public async Task StartAgainAsync()
    {
        await Server.StartAgainAsync();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        NpgsqlConnection.ClearPool(admin);
    }

    /// <summary>The server's log so far, for a failed test's message.</summary>
    public string ServerLog() => _server?.ServerLog() ?? "";

    /// <inheritdoc cref="PostgresServer.StopWhenGone"/>
    public void StopWhenGone(int pid) => Server.StopWhenGone(pid);

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
