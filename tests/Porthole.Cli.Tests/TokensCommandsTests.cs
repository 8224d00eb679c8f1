using System.Text.Json;

namespace Porthole.Cli.Tests;

/// <summary><c>porthole tokens</c>: what is sent, what is printed, and the secret alone on standard output.</summary>
public sealed class TokensCommandsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Tokens_list_prints_a_table_with_the_current_token_marked()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("""
            [{"id":1,"name":"first","created_at":"2025-11-23T04:16:09Z","last_used_at":"2025-11-24T10:00:00Z","current":true},
             {"id":4,"name":"deploy script","created_at":"2025-11-24T10:00:00Z","last_used_at":null,"current":false}]
            """));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tokens", "list");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            ID  NAME           CREATED               LAST USED             CURRENT
            1   first          2025-11-23 04:16:09Z  2025-11-24 10:00:00Z  yes
            4   deploy script  2025-11-24 10:00:00Z  -                     -

            """,
            outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/api/users/me/tokens", request.Path);
    }

    [Fact]
    public async Task Tokens_list_json_prints_the_answer_as_it_is()
    {
        const string Answer = """[{"id":1,"name":"first","created_at":"2025-11-23T04:16:09Z","last_used_at":null,"current":true}]""";
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Answer));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tokens", "list", "--json");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(Answer + "\n", outcome.Stdout);
    }

    [Fact]
    public async Task Tokens_create_prints_the_secret_alone_on_stdout_and_the_note_on_stderr()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"id":4,"name":"laptop","created_at":"2025-11-24T10:00:00Z","token":"ph_0123456789abcdef"}""", 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tokens", "create", "laptop");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("ph_0123456789abcdef\n", outcome.Stdout);
        var note = Assert.Single(outcome.StderrLines);
        Assert.StartsWith("created token 4 (laptop): this is the only time its secret is shown", note, StringComparison.Ordinal);
        Assert.DoesNotContain("ph_", note, StringComparison.Ordinal);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/users/me/tokens", request.Path);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("laptop", body.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Tokens_create_shows_the_servers_refusal_with_its_code()
    {
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(
            409, "Conflict", "You already have a token named 'laptop'. Pick another name, or revoke that token first.", "token_name_taken"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tokens", "create", "laptop");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: You already have a token named 'laptop'. Pick another name, or revoke that token first. (token_name_taken)\n", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
    }

    [Fact]
    public async Task Tokens_revoke_sends_a_delete_and_says_so()
    {
        await using var server = new FakeHttpServer((request, response) => response.BytesAsync(204, "text/plain", []));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tokens", "revoke", "4");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("revoked token 4\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("DELETE", request.Method);
        Assert.Equal("/api/users/me/tokens/4", request.Path);
    }

    [Fact]
    public async Task Tokens_revoke_of_the_token_the_cli_is_logged_in_with_says_to_log_in_again()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"id":1,"name":"first","was_current":true,"remaining":1,"detail":"Token 1 (first) was the token of this request and no longer works."}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tokens", "revoke", "1");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            revoked token 1 (first), the token this porthole is logged in with
            log in again with another of your tokens: porthole login --server URL --token TOKEN

            """,
            outcome.Stdout);
    }

    [Fact]
    public async Task Tokens_revoke_of_the_last_token_says_nothing_can_sign_in()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"id":1,"name":"first","was_current":true,"remaining":0,"detail":"It was your last token."}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tokens", "revoke", "1");

        Assert.Equal(0, outcome.ExitCode);
        Assert.EndsWith("it was your last token: nothing can sign in as you any more\n", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_revoke_of_an_unknown_token_is_one_line_with_its_code()
    {
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(
            404, "Not found", "You have no token 9; see GET /api/users/me/tokens.", "not_found"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tokens", "revoke", "9");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: You have no token 9; see GET /api/users/me/tokens. (not_found)\n", outcome.Stderr);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("ph_0123456789abcdef0123456789abcdef0123456789abcdef")]
    public async Task Tokens_revoke_of_something_that_is_not_an_id_is_a_usage_error_that_does_not_echo_it(string id)
    {
        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(FakeHttpServer.ClosedUrl(), _folder), "tokens", "revoke", id);

        Assert.Equal(2, outcome.ExitCode);
        var line = Assert.Single(outcome.StderrLines);
        Assert.Contains("not a token id: use the ID column of porthole tokens list", line, StringComparison.Ordinal);
        Assert.DoesNotContain(id, line, StringComparison.Ordinal);
    }
}
