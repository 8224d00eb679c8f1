using Npgsql;

namespace Porthole.Data.PostgreSql;

/// <summary>
/// A lock every server on one PostgreSQL database shares (issue 14: several servers, one database): a session-level
/// advisory lock held on a connection of its own until disposed. What SQLite's single writer and the in-process lock
/// give one server, this gives all of them.
/// </summary>
public sealed class PostgreSqlAdvisoryLock : IDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private PostgreSqlAdvisoryLock(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    /// <summary>Waits for the lock named by <paramref name="key"/> on the database of <paramref name="connectionString"/>.</summary>
    public static async Task<PostgreSqlAdvisoryLock> AcquireAsync(string connectionString, long key, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", key);
            await command.ExecuteNonQueryAsync(ct);
            return new PostgreSqlAdvisoryLock(connection, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
            command.Parameters.AddWithValue("key", _key);
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
            // The session is gone, and its locks with it.
        }
        finally
        {
            _connection.Dispose();
        }
    }
}
