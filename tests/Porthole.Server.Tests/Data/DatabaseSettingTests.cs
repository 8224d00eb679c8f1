using Npgsql;
using Porthole.Server.Data;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Data;

/// <summary>
/// <c>Porthole:Database</c> and <c>porthole server --db</c> (issue 14): empty is SQLite in the data folder; Npgsql's keywords
/// or a postgres:// URL are PostgreSQL; a malformed one stops the server at start with exit code 2 and a reason that never
/// repeats the password.
/// </summary>
public sealed class DatabaseSettingTests
{
    private const string Password = "s3cret-Pa55";

    [Fact]
    public void An_empty_setting_is_sqlite_in_the_data_folder()
    {
        var database = ServerDatabase.Of("  ", "/srv/porthole/porthole.db");
        Assert.True(database.IsSqlite);
        Assert.Equal("SQLite file /srv/porthole/porthole.db", database.Description);
    }

    [Fact]
    public void A_postgres_url_becomes_npgsql_keywords_with_its_escapes_undone()
    {
        var keywords = Porthole.Data.PostgreSql.PostgreSqlConnectionString.Parse(
            $"postgres://ci%40acme:{Password}%3A%2F@db.internal:6543/porthole_ci?sslmode=disable&Timeout=7");

        var parsed = new NpgsqlConnectionStringBuilder(keywords);
        Assert.Equal(("db.internal", 6543, "ci@acme", Password + ":/", "porthole_ci"), (parsed.Host, parsed.Port, parsed.Username, parsed.Password, parsed.Database));
        Assert.Equal((SslMode.Disable, 7), (parsed.SslMode, parsed.Timeout));

        var database = ServerDatabase.Of($"postgresql://ci:{Password}@[::1]/porthole", "/unused");
        Assert.False(database.IsSqlite);
        Assert.Equal("PostgreSQL database porthole on ::1:5432 as ci", database.Description);
    }

    [Fact]
    public void Keywords_are_taken_as_npgsql_reads_them()
    {
        var database = ServerDatabase.Of($"Host=127.0.0.1;Port=5433;Database=p;Username=u;Password={Password}", "/unused");
        Assert.False(database.IsSqlite);
        Assert.DoesNotContain(Password, database.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres://ci:" + Password + "@/porthole", "postgres://USER:PASSWORD@HOST:PORT/DATABASE")]
    [InlineData("postgres://ci:" + Password + "@db.internal", "names no database")]
    [InlineData("postgres://ci:" + Password + "@db.internal/p?nonsense=1", "parameter 'nonsense'")]
    [InlineData("postgres://ci:" + Password + "@db.internal:99999/p", "cannot be read")]
    [InlineData("Host=db;Database=p;Password=" + Password + ";Colour=blue", "Npgsql's keywords")]
    [InlineData("Database=p;Password=" + Password, "names no host")]
    [InlineData("sqlite.db " + Password, "Npgsql's keywords")]
    public void A_malformed_setting_is_refused_with_a_reason_and_without_the_password(string setting, string reason)
    {
        var refused = Assert.Throws<DatabaseSettingException>(() => ServerDatabase.Of(setting, "/unused"));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.StartsWith("Porthole:Database (--db): ", refused.Message, StringComparison.Ordinal);
        Assert.True(!refused.ToString().Contains(Password, StringComparison.Ordinal), "the refusal repeats the password");
    }

    [Fact]
    public async Task Porthole_server_with_a_malformed_db_exits_2_at_start_without_printing_the_password()
    {
        using var data = new TempFolder();

        var (code, text) = await HostTool.RunAsync(
            "dotnet", Path.Combine(AppContext.BaseDirectory, "porthole.dll"), "server", "--data", data.Path,
            "--urls", $"http://127.0.0.1:{FreePort.Pick()}", "--no-builtin-runner", "--db", $"postgres://ci:{Password}@db.internal");

        Assert.Equal(2, code);
        Assert.Contains("error: the server cannot start: Porthole:Database (--db): The PostgreSQL connection string names no database", text, StringComparison.Ordinal);
        Assert.True(!text.Contains(Password, StringComparison.Ordinal), "porthole server printed the password");
        Assert.False(File.Exists(Path.Combine(data.Path, "porthole.db")), "a refused start made a database");
    }
}
