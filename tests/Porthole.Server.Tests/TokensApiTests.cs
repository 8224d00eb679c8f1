using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// Personal tokens through the API (R-AC-1): made with a name, the secret shown once, listed without it, revoked.
/// A token's secret is never put in an assertion's message, so a failing test does not print it.
/// </summary>
public sealed class TokensApiTests : IAsyncLifetime
{
    private const string TokensPath = "/api/users/me/tokens";

    private readonly TempFolder _data = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(_data.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_created_token_signs_in_is_listed_without_its_secret_and_stops_working_when_revoked()
    {
        using var alice = _server.ClientFor(await _server.CreateUserAsync("alice"));
        var created = await CreateAsync(alice, "laptop");
        Assert.Equal("laptop", created.Name);
        Assert.True(created.Token.StartsWith("ph_", StringComparison.Ordinal), "a token's secret starts with ph_");

        using var laptop = _server.ClientFor(created.Token);
        var me = await laptop.GetFromJsonAsyncOrFail<UserView>("/api/users/me");
        Assert.Equal("alice", me.Name);
        var unused = await CreateAsync(alice, "unused");

        var listText = await alice.GetStringAsync(TokensPath);
        Assert.True(!listText.Contains(created.Token, StringComparison.Ordinal), "the list of tokens shows a secret");
        Assert.True(!listText.Contains(unused.Token, StringComparison.Ordinal), "the list of tokens shows a secret");
        Assert.DoesNotContain("hash", listText, StringComparison.OrdinalIgnoreCase);
        var list = JsonSerializer.Deserialize<List<TokenView>>(listText, ApiJson.Options)!;
        Assert.Equal(["first", "laptop", "unused"], list.Select(t => t.Name));
        Assert.True(list.Single(t => t.Name == "first").Current);
        Assert.False(list.Single(t => t.Name == "laptop").Current);
        Assert.NotNull(list.Single(t => t.Name == "laptop").LastUsedAt);
        Assert.Null(list.Single(t => t.Name == "unused").LastUsedAt);
        Assert.Equal(created.Id, list.Single(t => t.Name == "laptop").Id);

        await Expect.StatusAsync(await alice.DeleteAsync($"{TokensPath}/{created.Id}"), 204);

        await Expect.ProblemAsync(await laptop.GetAsync("/api/users/me"), 401, ErrorCodes.Unauthorized);
        Assert.Equal(["first", "unused"], (await alice.GetFromJsonAsyncOrFail<List<TokenView>>(TokensPath)).Select(t => t.Name));
        await Expect.StatusAsync(await alice.GetAsync("/api/users/me"), 200);
    }

    [Fact]
    public async Task Revoking_the_token_of_the_request_itself_is_allowed_and_says_so()
    {
        using var bob = _server.ClientFor(await _server.CreateUserAsync("bob"));
        var spare = await CreateAsync(bob, "spare");
        var first = (await bob.GetFromJsonAsyncOrFail<List<TokenView>>(TokensPath)).Single(t => t.Current);
        Assert.Equal("first", first.Name);

        var response = await bob.DeleteAsync($"{TokensPath}/{first.Id}");
        await Expect.StatusAsync(response, 200);
        var revoked = (await response.Content.ReadFromJsonAsync<RevokedToken>(ApiJson.Options))!;
        Assert.Equal(first.Id, revoked.Id);
        Assert.True(revoked.WasCurrent);
        Assert.Equal(1, revoked.Remaining);
        Assert.Contains("no longer works", revoked.Detail, StringComparison.Ordinal);
        await Expect.ProblemAsync(await bob.GetAsync("/api/users/me"), 401, ErrorCodes.Unauthorized);

        using var withSpare = _server.ClientFor(spare.Token);
        response = await withSpare.DeleteAsync($"{TokensPath}/{spare.Id}");
        await Expect.StatusAsync(response, 200);
        revoked = (await response.Content.ReadFromJsonAsync<RevokedToken>(ApiJson.Options))!;
        Assert.Equal(0, revoked.Remaining);
        Assert.Contains("last token", revoked.Detail, StringComparison.Ordinal);
        await Expect.ProblemAsync(await withSpare.GetAsync(TokensPath), 401, ErrorCodes.Unauthorized);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"name\": null}")]
    [InlineData("{\"name\": \"\"}")]
    [InlineData("{\"name\": \"   \"}")]
    [InlineData("{\"name\": \"two\\nlines\"}")]
    [InlineData("{\"name\": \"tab\\there\"}")]
    [InlineData("{\"name\": 5}")]
    [InlineData("{\"name\": [\"a\"]}")]
    [InlineData("{not json")]
    [InlineData("[1, 2]")]
    [InlineData("null")]
    public async Task Bad_token_requests_get_400_problems(string body)
    {
        var response = await _server.Client.PostAsync(TokensPath, new StringContent(body, Encoding.UTF8, "application/json"));
        await Expect.ProblemAsync(response, 400, ErrorCodes.InvalidRequest);
        Assert.Equal(["admin"], (await _server.Client.GetFromJsonAsyncOrFail<List<TokenView>>(TokensPath)).Select(t => t.Name));
    }

    [Fact]
    public async Task A_name_is_at_most_100_characters_and_unique_among_the_users_tokens()
    {
        var problem = await Expect.ProblemAsync(await PostNameAsync(_server.Client, new string('x', 101)), 400, ErrorCodes.InvalidRequest);
        Assert.Contains("100", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(new string('x', 100), (await CreateAsync(_server.Client, new string('x', 100))).Name);

        Assert.Equal("laptop", (await CreateAsync(_server.Client, "  laptop ")).Name);
        foreach (var again in (string[])["laptop", " laptop"])
        {
            problem = await Expect.ProblemAsync(await PostNameAsync(_server.Client, again), 409, ErrorCodes.TokenNameTaken);
            Assert.Contains("already have a token named 'laptop'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Unique per user: another user may have a token of the same name, and a revoked name is free again.
        using var carol = _server.ClientFor(await _server.CreateUserAsync("carol"));
        var carols = await CreateAsync(carol, "laptop");
        await Expect.StatusAsync(await carol.DeleteAsync($"{TokensPath}/{carols.Id}"), 204);
        await CreateAsync(carol, "laptop");
    }

    [Fact]
    public async Task Two_requests_for_the_same_name_at_once_make_one_token()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostNameAsync(_server.Client, "race")));
        Assert.Equal(1, responses.Count(r => (int)r.StatusCode == 201));
        foreach (var refused in responses.Where(r => (int)r.StatusCode != 201))
        {
            await Expect.ProblemAsync(refused, 409, ErrorCodes.TokenNameTaken);
        }
    }

    [Theory]
    [InlineData("abc", 400, ErrorCodes.InvalidRequest)]
    [InlineData("0", 400, ErrorCodes.InvalidRequest)]
    [InlineData("-1", 400, ErrorCodes.InvalidRequest)]
    [InlineData("99999999999999999999", 400, ErrorCodes.InvalidRequest)]
    [InlineData("ph_0123456789abcdef0123456789abcdef0123456789abcdef", 400, ErrorCodes.InvalidRequest)]
    [InlineData("424242", 404, ErrorCodes.NotFound)]
    public async Task Revoking_a_wrong_id_gets_a_clear_problem(string id, int status, string code)
    {
        var problem = await Expect.ProblemAsync(await _server.Client.DeleteAsync($"{TokensPath}/{id}"), status, code);
        if (status == 400)
        {
            Assert.DoesNotContain(id, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Another_users_token_is_not_found_and_keeps_working()
    {
        using var dave = _server.ClientFor(await _server.CreateUserAsync("dave"));
        var daves = await CreateAsync(dave, "ci");

        var problem = await Expect.ProblemAsync(await _server.Client.DeleteAsync($"{TokensPath}/{daves.Id}"), 404, ErrorCodes.NotFound);
        Assert.Contains("no token", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var withDaves = _server.ClientFor(daves.Token);
        Assert.Equal("dave", (await withDaves.GetFromJsonAsyncOrFail<UserView>("/api/users/me")).Name);
        Assert.DoesNotContain("\"ci\"", await _server.Client.GetStringAsync(TokensPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_need_a_signed_in_user()
    {
        using var anonymous = _server.ClientFor(null);
        await Expect.ProblemAsync(await anonymous.GetAsync(TokensPath), 401, ErrorCodes.Unauthorized);
        await Expect.ProblemAsync(await anonymous.PostAsJsonAsync(TokensPath, new CreateTokenRequest("x"), ApiJson.Options), 401, ErrorCodes.Unauthorized);
        await Expect.ProblemAsync(await anonymous.DeleteAsync($"{TokensPath}/1"), 401, ErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task Only_administrators_list_the_users()
    {
        using var erin = _server.ClientFor(await _server.CreateUserAsync("erin"));

        var users = await _server.Client.GetFromJsonAsyncOrFail<List<UserSummary>>("/api/users");
        Assert.Equal(["admin", "erin"], users.Select(u => u.Name));
        Assert.True(users[0].IsAdmin);
        Assert.False(users[1].IsAdmin);
        Assert.All(users, u => Assert.NotEqual(default, u.CreatedAt));

        var problem = await Expect.ProblemAsync(await erin.GetAsync("/api/users"), 403, ErrorCodes.Forbidden);
        Assert.Contains("administrator", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var anonymous = _server.ClientFor(null);
        await Expect.ProblemAsync(await anonymous.GetAsync("/api/users"), 401, ErrorCodes.Unauthorized);
    }

    private static Task<HttpResponseMessage> PostNameAsync(HttpClient client, string name) =>
        client.PostAsJsonAsync(TokensPath, new CreateTokenRequest(name), ApiJson.Options);

    private static async Task<CreatedToken> CreateAsync(HttpClient client, string name)
    {
        var response = await PostNameAsync(client, name);
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<CreatedToken>(ApiJson.Options))!;
    }
}
