using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Porthole.Data;
using Porthole.Data.PostgreSql;
using Porthole.Server.Data;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Data;

/// <summary>
/// <see cref="DatabaseFaults"/> on real exceptions: Npgsql connecting to a closed port (directly and through EF Core, as
/// the server meets it), a PostgreSQL session ended by the server (57P01), the SQLSTATEs of a server stopping or starting;
/// and what is not the database being away: a broken unique key, bad SQL, SQLite's busy database, a socket error that is
/// not the database's.
/// </summary>
public sealed class DatabaseFaultsTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    private const string Password = "s3cret-never-printed";

    [Fact]
    public async Task Npgsql_refused_at_a_closed_port_is_unreachable_and_described_without_the_connection_string()
    {
        var closed = ClosedPortConnectionString();
        await using var connection = new NpgsqlConnection(closed);
        var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());

        Assert.True(DatabaseFaults.IsUnreachable(refused), refused.ToString());
        var described = DatabaseFaults.Describe(refused)!;
        Assert.Contains("ConnectionRefused", described, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, described, StringComparison.Ordinal);
        Assert.DoesNotContain("Host=", described, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_through_ef_core_at_a_closed_port_is_unreachable_whatever_ef_wraps_it_in()
    {
        var options = new DbContextOptionsBuilder<PortholeDb>().UsePortholePostgreSql(ClosedPortConnectionString()).Options;
        await using var db = new PortholeDb(options);
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => db.Users.AnyAsync());
        Assert.True(DatabaseFaults.IsUnreachable(failed), failed.ToString());

        // A write goes another way through EF (SaveChanges, its own wrapping).
        db.Projects.Add(new Project { Name = "p", Repository = "/nowhere", Visibility = "private" });
        var write = await Assert.ThrowsAnyAsync<Exception>(() => db.SaveChangesAsync());
        Assert.True(DatabaseFaults.IsUnreachable(write), write.ToString());

        // As a retrying execution strategy or a task combinator would hand it on.
        Assert.True(DatabaseFaults.IsUnreachable(new Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException("gave up", failed)));
        Assert.True(DatabaseFaults.IsUnreachable(new AggregateException(new InvalidOperationException("other"), failed)));
    }

    [Fact]
    public async Task A_session_the_server_ends_is_unreachable_57P01()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var victim = new NpgsqlConnection(connectionString + ";Pooling=false");
        await victim.OpenAsync();
        await using (var admin = new NpgsqlConnection(cluster.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend({victim.ProcessID})", admin);
            await terminate.ExecuteScalarAsync();
        }

        await using var command = new NpgsqlCommand("SELECT 1", victim);
        var ended = await Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteScalarAsync());
        Assert.True(DatabaseFaults.IsUnreachable(ended), ended.ToString());
        Assert.Contains(ended is PostgresException p ? p.SqlState : ended.InnerException?.GetType().Name, (string?[])["57P01", nameof(EndOfStreamException), nameof(IOException)]);
    }

    [Theory]
    [InlineData("57P01", true)] // admin_shutdown: pg_ctl stop -m fast
    [InlineData("57P02", true)] // crash_shutdown
    [InlineData("57P03", true)] // cannot_connect_now: starting up or shutting down
    [InlineData("08006", true)] // connection_failure
    [InlineData("08001", true)] // sqlclient_unable_to_establish_sqlconnection
    [InlineData("23505", false)] // unique_violation
    [InlineData("40001", false)] // serialization_failure: transient, but the database answered
    [InlineData("53300", false)] // too_many_connections: it answered, it is full
    [InlineData("42P01", false)] // undefined_table
    public void A_server_error_is_unreachable_by_its_sqlstate_alone(string sqlState, bool unreachable)
    {
        var error = new PostgresException("said by the server", "FATAL", "FATAL", sqlState);
        Assert.Equal(unreachable, DatabaseFaults.IsUnreachable(error));
        Assert.Equal(unreachable, DatabaseFaults.IsUnreachable(new DbUpdateException("wrapped", error)));
    }

    [Fact]
    public async Task A_broken_unique_key_or_bad_sql_from_a_real_server_is_not_unreachable()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var twice = new NpgsqlCommand("INSERT INTO t VALUES (1)", connection);
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => twice.ExecuteNonQueryAsync());
        Assert.Equal("23505", duplicate.SqlState);
        Assert.False(DatabaseFaults.IsUnreachable(duplicate));
        Assert.Null(DatabaseFaults.Describe(duplicate));

        await using var nonsense = new NpgsqlCommand("SELEKT 1", connection);
        Assert.False(DatabaseFaults.IsUnreachable(await Assert.ThrowsAsync<PostgresException>(() => nonsense.ExecuteNonQueryAsync())));
    }

    [Fact]
    public async Task Sqlite_busy_past_its_timeout_is_not_unreachable()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("busy.db");
        await using var holder = new SqliteConnection($"Data Source={path};Pooling=False");
        await holder.OpenAsync();
        await using (var create = new SqliteCommand("CREATE TABLE t (id INTEGER); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);", holder))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var other = new SqliteConnection($"Data Source={path};Pooling=False");
        await other.OpenAsync();
        await using var write = new SqliteCommand("INSERT INTO t VALUES (2)", other) { CommandTimeout = 1 };
        var busy = await Assert.ThrowsAsync<SqliteException>(() => write.ExecuteNonQueryAsync());
        Assert.Contains(busy.SqliteErrorCode, (int[])[5, 6]); // SQLITE_BUSY, SQLITE_LOCKED
        Assert.False(DatabaseFaults.IsUnreachable(busy));
        Assert.False(DatabaseFaults.IsUnreachable(new DbUpdateException("wrapped", busy)));
    }

    [Fact]
    public async Task A_refused_connection_that_is_not_the_database_is_not_unreachable()
    {
        using var http = new HttpClient();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{FreePort.Pick()}/"));
        Assert.IsType<System.Net.Sockets.SocketException>(refused.InnerException);
        Assert.False(DatabaseFaults.IsUnreachable(refused));
        Assert.False(DatabaseFaults.IsUnreachable(new IOException("disk")));
        Assert.False(DatabaseFaults.IsUnreachable(null));
    }

    /// <summary>Npgsql's keywords for a port nothing listens on, with a password that must never be repeated.</summary>
    private static string ClosedPortConnectionString() =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = FreePort.Pick(), Username = "porthole", Password = Password, Database = "porthole", Timeout = 5 }.ConnectionString;
}
