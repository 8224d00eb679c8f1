using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Runners.Registry;
using Porthole.Server.Tests.Support;
using Porthole.Data.Sqlite;

namespace Porthole.Server.Tests.Runners;

/// <summary>
/// Runner tokens (issue 14) against the real server: made by an administrator, shown once, stored hashed, listed without
/// the secret, revoked; never a user's token, and a user's token never a runner's. Secrets are kept out of assertion messages.
/// </summary>
public sealed class RunnerTokensApiTests : IAsyncLifetime
{
    private const string TokensPath = "/api/runner-tokens";

    private readonly TempFolder _data = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_token_is_shown_once_stored_hashed_listed_without_it_and_revoked_by_name()
    {
        var created = await CreateAsync("build-host-1");
        Assert.Equal("build-host-1", created.Name);
        Assert.Equal("admin", created.CreatedBy);
        Assert.True(created.Token.StartsWith(RunnerTokens.Prefix, StringComparison.Ordinal), "a runner token starts with prt_");
        // 32 random bytes, URL-safe base64 without padding: 43 characters of A-Z a-z 0-9 - _.
        var secret = created.Token[RunnerTokens.Prefix.Length..];
        Assert.True(secret.Length == 43 && secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'), "a runner token is 32 URL-safe random bytes");

        var listText = await _server.Client.GetStringAsync(TokensPath);
        Assert.True(!listText.Contains(created.Token, StringComparison.Ordinal), "the list shows a runner token");
        Assert.DoesNotContain("hash", listText, StringComparison.OrdinalIgnoreCase);
        var listed = Assert.Single(JsonSerializer.Deserialize<List<RunnerTokenView>>(listText, ApiJson.Options)!);
        Assert.Equal(("build-host-1", "admin", false), (listed.Name, listed.CreatedBy, listed.Revoked));
        Assert.Null(listed.LastUsedAt);

        await using (var db = await OpenDatabase())
        {
            var row = await db.RunnerTokens.SingleAsync();
            Assert.Equal(Accounts.Tokens.Hash(created.Token), row.Hash);
            if (!TestDatabase.IsPostgreSql)
            {
                var file = await File.ReadAllBytesAsync(Path.Combine(_data.Path, "porthole.db"));
                Assert.True(!Encoding.ASCII.GetString(file).Contains(secret, StringComparison.Ordinal), "the database holds the runner token itself");
            }
        }

        await Expect.StatusAsync(await _server.Client.DeleteAsync($"{TokensPath}/build-host-1"), 204);
        var revoked = Assert.Single(await _server.Client.GetFromJsonAsyncOrFail<List<RunnerTokenView>>(TokensPath));
        Assert.True(revoked.Revoked);
        Assert.NotNull(revoked.RevokedAt);
        // Revoking again changes nothing; the name stays taken.
        await Expect.StatusAsync(await _server.Client.DeleteAsync($"{TokensPath}/build-host-1"), 204);
        await Expect.ProblemAsync(await Post(new { name = "build-host-1" }), 409, ErrorCodes.TokenNameTaken);
    }

    [Fact]
    public async Task The_resolver_takes_a_live_runner_token_and_refuses_user_revoked_and_unknown_ones()
    {
        var live = await CreateAsync("live");
        var gone = await CreateAsync("gone");
        await Expect.StatusAsync(await _server.Client.DeleteAsync($"{TokensPath}/gone"), 204);
        var userToken = await _server.CreateUserAsync("alice");
        var time = TimeProvider.System;

        await using var db = await OpenDatabase();
        var found = await RunnerTokens.FindAsync(db, live.Token, time, CancellationToken.None);
        Assert.Equal("live", found?.Name);
        Assert.Equal("live", (await RunnerTokens.FindAsync(db, "  " + live.Token + "\n", time, CancellationToken.None))?.Name);
        Assert.Null(await RunnerTokens.FindAsync(db, gone.Token, time, CancellationToken.None));
        Assert.Null(await RunnerTokens.FindAsync(db, userToken, time, CancellationToken.None));
        Assert.Null(await RunnerTokens.FindAsync(db, File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim(), time, CancellationToken.None));
        Assert.Null(await RunnerTokens.FindAsync(db, RunnerTokens.Generate(), time, CancellationToken.None));
        // The user token's hash given a runner token's prefix is still no runner token.
        Assert.Null(await RunnerTokens.FindAsync(db, RunnerTokens.Prefix + userToken, time, CancellationToken.None));
        Assert.Null(await RunnerTokens.FindAsync(db, live.Token[..^1], time, CancellationToken.None));
        Assert.Null(await RunnerTokens.FindAsync(db, "", time, CancellationToken.None));
        Assert.Null(await RunnerTokens.FindAsync(db, null, time, CancellationToken.None));

        // Finding it marks it used.
        var listed = await _server.Client.GetFromJsonAsyncOrFail<List<RunnerTokenView>>(TokensPath);
        Assert.NotNull(listed.Single(t => t.Name == "live").LastUsedAt);
        Assert.Null(listed.Single(t => t.Name == "gone").LastUsedAt);
    }

    [Fact]
    public async Task A_runner_token_does_not_sign_in_to_the_api()
    {
        var created = await CreateAsync("host");
        using var runner = _server.ClientFor(created.Token);

        var refused = await Expect.ProblemAsync(await runner.GetAsync("/api/projects"), 401, ErrorCodes.Unauthorized);
        Assert.Contains("This is a runner token", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(await runner.GetAsync("/api/runners"), 401, ErrorCodes.Unauthorized);
        using var circle = new HttpClient { BaseAddress = _server.Address };
        circle.DefaultRequestHeaders.Add("Circle-Token", created.Token);
        await Expect.ProblemAsync(await circle.GetAsync("/api/projects"), 401, ErrorCodes.Unauthorized);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-starts-with-dash")]
    [InlineData("has space")]
    [InlineData("slash/inside")]
    [InlineData("line\nbreak")]
    [InlineData("ünïcode")]
    public async Task A_bad_name_is_refused_with_400(string name)
    {
        var problem = await Expect.ProblemAsync(await Post(new { name }), 400, ErrorCodes.InvalidRequest);
        Assert.Contains("name", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _server.Client.GetFromJsonAsyncOrFail<List<RunnerTokenView>>(TokensPath));
    }

    [Fact]
    public async Task Missing_too_long_duplicate_unknown_and_malformed_requests_are_refused_clearly()
    {
        await Expect.ProblemAsync(await Post(new { }), 400, ErrorCodes.InvalidRequest);
        await Expect.ProblemAsync(await _server.Client.PostAsync(TokensPath, new StringContent("{\"name\": 5", Encoding.UTF8, "application/json")), 400, ErrorCodes.InvalidRequest);
        await Expect.ProblemAsync(await _server.Client.PostAsync(TokensPath, new StringContent("null", Encoding.UTF8, "application/json")), 400, ErrorCodes.InvalidRequest);
        Assert.Equal(new string('a', 64), (await CreateAsync(new string('a', 64))).Name);
        await Expect.ProblemAsync(await Post(new { name = new string('a', 65) }), 400, ErrorCodes.InvalidRequest);

        await CreateAsync("twice");
        await Expect.ProblemAsync(await Post(new { name = "twice" }), 409, ErrorCodes.TokenNameTaken);
        // Names are one whatever their case.
        await Expect.ProblemAsync(await Post(new { name = "TWICE" }), 409, ErrorCodes.TokenNameTaken);

        await Expect.ProblemAsync(await _server.Client.DeleteAsync($"{TokensPath}/nobody"), 404, ErrorCodes.NotFound);
        await Expect.ProblemAsync(await _server.Client.DeleteAsync($"{TokensPath}/bad%20name"), 400, ErrorCodes.InvalidRequest);
    }

    [Fact]
    public async Task A_huge_body_is_refused_without_a_server_error()
    {
        // A 2 MB name: read, then refused as too long.
        var big = await Post(new { name = new string('a', 2 * 1024 * 1024) });
        await Expect.ProblemAsync(big, 400, ErrorCodes.InvalidRequest);

        // Past the server's body cap (16 MB): 413, or the connection closed before the whole body was read; never a 500.
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes("{\"name\":\"" + new string('a', 17 * 1024 * 1024) + "\"}"));
        content.Headers.ContentType = new("application/json");
        try
        {
            var huge = await _server.Client.PostAsync(TokensPath, content);
            Assert.True((int)huge.StatusCode is 400 or 413, $"a huge body got HTTP {(int)huge.StatusCode}");
        }
        catch (HttpRequestException)
        {
        }

        Assert.Empty(await _server.Client.GetFromJsonAsyncOrFail<List<RunnerTokenView>>(TokensPath));
    }

    [Fact]
    public async Task Only_an_administrator_manages_runner_tokens()
    {
        await CreateAsync("host");
        using var alice = _server.ClientFor(await _server.CreateUserAsync("alice"));

        await Expect.ProblemAsync(await alice.PostAsJsonAsync(TokensPath, new { name = "mine" }), 403, ErrorCodes.Forbidden);
        await Expect.ProblemAsync(await alice.GetAsync(TokensPath), 403, ErrorCodes.Forbidden);
        await Expect.ProblemAsync(await alice.DeleteAsync($"{TokensPath}/host"), 403, ErrorCodes.Forbidden);
        using var anonymous = _server.ClientFor(null);
        await Expect.ProblemAsync(await anonymous.GetAsync(TokensPath), 401, ErrorCodes.Unauthorized);
        Assert.False(Assert.Single(await _server.Client.GetFromJsonAsyncOrFail<List<RunnerTokenView>>(TokensPath)).Revoked);
    }

    private Task<HttpResponseMessage> Post(object body) => _server.Client.PostAsJsonAsync(TokensPath, body);

    private async Task<CreatedRunnerToken> CreateAsync(string name)
    {
        var response = await Post(new { name });
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<CreatedRunnerToken>(ApiJson.Options))!;
    }

    private Task<PortholeDb> OpenDatabase() => TestDatabase.OpenAsync(_data.Path);
}
