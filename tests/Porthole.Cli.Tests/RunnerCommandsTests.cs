using System.Text.Json;

namespace Porthole.Cli.Tests;

/// <summary><c>porthole runner-token</c> and <c>porthole runners</c> (issue 14): what is sent, what is printed, bad input.</summary>
public sealed class RunnerCommandsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Runner_token_create_prints_the_token_alone_on_stdout_and_says_it_is_shown_once()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"name":"host1","created_at":"2026-12-06T10:00:00Z","created_by":"admin","token":"prt_abcDEF-_0123"}""", 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "runner-token", "create", "host1");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("prt_abcDEF-_0123\n", outcome.Stdout);
        var note = Assert.Single(outcome.StderrLines);
        Assert.StartsWith("created runner token host1: this is the only time it is shown", note, StringComparison.Ordinal);
        Assert.DoesNotContain("prt_abc", note, StringComparison.Ordinal);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/runner-tokens"), (request.Method, request.Path));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("host1", body.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Runner_token_list_prints_a_table_and_revoke_sends_the_name()
    {
        await using var server = new FakeHttpServer((request, response) => request.Method == "DELETE"
            ? response.BytesAsync(204, "text/plain", [])
            : response.JsonAsync("""
                [{"name":"host1","created_at":"2026-12-06T10:00:00Z","created_by":"admin","last_used_at":null,"revoked":false,"revoked_at":null},
                 {"name":"old","created_at":"2026-12-01T10:00:00Z","created_by":"root","last_used_at":"2026-12-02T10:00:00Z","revoked":true,"revoked_at":"2026-12-03T10:00:00Z"}]
                """));

        var list = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "runner-token", "list");
        var revoke = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "runner-token", "revoke", "old");

        Assert.Equal(0, list.ExitCode);
        Assert.Equal(
            """
            NAME   CREATED               CREATED BY  LAST USED             REVOKED
            host1  2026-12-06 10:00:00Z  admin       -                     -
            old    2026-12-01 10:00:00Z  root        2026-12-02 10:00:00Z  2026-12-03 10:00:00Z

            """,
            list.Stdout);
        Assert.Equal((0, "revoked runner token old\n"), (revoke.ExitCode, revoke.Stdout));
        Assert.Equal(["GET /api/runner-tokens", "DELETE /api/runner-tokens/old"], server.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    [Theory]
    [InlineData("create", "has space")]
    [InlineData("create", "_x")]
    [InlineData("revoke", "a/b")]
    [InlineData("revoke", "prt_secret+pasted=by/mistake")]
    public async Task A_bad_name_is_a_usage_error_that_does_not_echo_it_and_sends_nothing(string subcommand, string name)
    {
        await using var server = new FakeHttpServer((request, response) => response.BytesAsync(500, "text/plain", []));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "runner-token", subcommand, name);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("a runner token's name is letters, digits", outcome.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(name, outcome.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Runners_prints_a_table_and_json_as_it_is()
    {
        const string Answer = """
            [{"name":"box-builtin","version":"0.1.0","labels":["linux","docker"],"capacity":8,"nodes_running":2,"last_heartbeat_at":"2026-12-06T10:00:05Z","address":"ci.example.test","built_in":true,"registered_at":"2026-12-06T10:00:00Z"},
             {"name":"far","version":"0.1.0","labels":[],"capacity":1,"nodes_running":0,"last_heartbeat_at":null,"address":"10.0.0.2","built_in":false,"registered_at":"2026-12-06T10:00:00Z"}]
            """;
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Answer));

        var table = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "runners");
        var json = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "runners", "--json");

        Assert.Equal(0, table.ExitCode);
        Assert.Equal(
            """
            NAME                    VERSION  LABELS        CAPACITY  RUNNING  LAST HEARTBEAT        ADDRESS
            box-builtin (built-in)  0.1.0    linux,docker  8         2        2026-12-06 10:00:05Z  ci.example.test
            far                     0.1.0    -             1         0        -                     10.0.0.2

            """,
            table.Stdout);
        Assert.Equal((0, Answer + "\n"), (json.ExitCode, json.Stdout));
        Assert.All(server.Requests, r => Assert.Equal("/api/runners", r.Path));
    }

    [Fact]
    public async Task A_refusal_of_the_server_is_shown_with_its_code()
    {
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(403, "Forbidden", "Only an administrator can make runner tokens.", "forbidden"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "runner-token", "create", "host1");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: Only an administrator can make runner tokens. (forbidden)\n", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
    }
}
