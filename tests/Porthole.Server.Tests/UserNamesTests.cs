using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>A user name is one person's whatever its case: "Admin" is taken while "admin" exists, in the API and in the database.</summary>
public sealed class UserNamesTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        // One of these tests writes into SQLite's file behind the server (PostgreSqlTests check names on PostgreSQL).
        TestDatabase.KeepOnSqlite(_data.Path);
        _server = await RunningServer.StartAsync(_data.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_name_that_differs_only_in_case_is_taken()
    {
        var admin = await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync("/api/users", new { name = "Admin" }), 409, ErrorCodes.InvalidRequest);
        Assert.Equal(
            "A user named admin already exists, and user names are the same whatever their case: choose another name than Admin.",
            admin.GetProperty("detail").GetString());

        await _server.CreateUserAsync("bob");
        await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync("/api/users", new { name = "BOB" }), 409, ErrorCodes.InvalidRequest);
        var same = await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync("/api/users", new { name = "bob" }), 409, ErrorCodes.InvalidRequest);
        Assert.Equal("A user named bob already exists.", same.GetProperty("detail").GetString());

        var users = await _server.Client.GetFromJsonAsyncOrFail<List<UserSummary>>("/api/users");
        Assert.Equal(["admin", "bob"], users.Select(u => u.Name));
    }

    [Fact]
    public async Task The_database_refuses_a_second_user_of_the_same_name_in_another_case()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "porthole.db")};Pooling=False");
        await connection.OpenAsync();
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO Users (Name, IsAdmin, CreatedAt) VALUES ('ADMIN', 0, 0)";
        var refused = await Assert.ThrowsAsync<SqliteException>(() => insert.ExecuteNonQueryAsync());
        Assert.Contains("UNIQUE", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_is_found_by_name_whatever_its_case()
    {
        await _server.AddProjectAsync("app", "/nonexistent/app");
        await _server.CreateUserAsync("grace");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/Grace", new { role = "read" }), 204);
        var members = await _server.Client.GetFromJsonAsyncOrFail<List<MemberView>>("/api/projects/app/members");
        Assert.Equal([("admin", "admin"), ("grace", "read")], members.Select(m => (m.User, m.Role)));
    }
}
