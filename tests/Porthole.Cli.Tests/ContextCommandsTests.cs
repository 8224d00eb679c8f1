using System.Text.Json;

namespace Porthole.Cli.Tests;

/// <summary>
/// <c>porthole context</c> (dialects.md §A6): what each command sends, what it prints, and the server's refusals as one line.
/// </summary>
public sealed class ContextCommandsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Create_sends_the_name_and_role_and_says_how_to_add_variables()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"name":"deploy","role":"admin","created_at":"2025-11-23T04:16:09Z","variables":0}""", 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "context", "create", "deploy", "--role", "admin");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            "context deploy created: jobs of pipelines started by a member with admin access or more may use it; add variables with porthole context env set deploy VAR VALUE [--secret]\n",
            outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/contexts"), (request.Method, request.Path));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("deploy", body.RootElement.GetProperty("name").GetString());
        Assert.Equal("admin", body.RootElement.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Create_with_an_unknown_role_is_a_usage_error_and_sends_nothing()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("{}", 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "context", "create", "deploy", "--role", "owner");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("owner", Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_name_with_shell_characters_shows_the_servers_refusal_naming_the_character()
    {
        const string Detail = "'de;ploy' is not a valid context name: ';' is not allowed; use letters, digits, '.', '_' and '-' (at most 100), starting with a letter or digit.";
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(400, "Bad request", Detail, "invalid_request"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "context", "create", "de;ploy");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal($"error: {Detail} (invalid_request)\n", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
        using var body = JsonDocument.Parse(Assert.Single(server.Requests).Body);
        Assert.Equal("de;ploy", body.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task List_prints_a_table_of_contexts_and_env_list_hides_secrets()
    {
        await using var server = new FakeHttpServer((request, response) => request.Path switch
        {
            "/api/contexts" => response.JsonAsync("""
                [{"name":"deploy","role":"write","created_at":"2025-11-23T04:16:09Z","variables":2},
                 {"name":"shared","role":"read","created_at":"2025-11-24T10:00:00Z","variables":0}]
                """),
            _ => response.JsonAsync("""[{"name":"AWS_SECRET","secret":true,"value":null},{"name":"REGION","secret":false,"value":"eu-west-1"}]"""),
        });
        var environment = CliRunner.LoggedIn(server.Url, _folder);

        var list = await CliRunner.RunAsync(environment, "context", "list");
        var env = await CliRunner.RunAsync(environment, "context", "env", "list", "deploy");

        Assert.Equal(0, list.ExitCode);
        Assert.Equal(
            """
            CONTEXT  ROLE   VARIABLES  CREATED
            deploy   write  2          2025-11-23 04:16:09Z
            shared   read   0          2025-11-24 10:00:00Z

            """,
            list.Stdout);
        Assert.Equal(0, env.ExitCode);
        Assert.Equal(
            """
            NAME        KIND    VALUE
            AWS_SECRET  secret  (hidden)
            REGION      plain   eu-west-1

            """,
            env.Stdout);
        Assert.Equal(["/api/contexts", "/api/contexts/deploy/env"], server.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Env_set_sends_the_value_and_secret_flag_and_unset_and_delete_name_what_they_removed()
    {
        await using var server = new FakeHttpServer((request, response) => request.Method == "PUT"
            ? response.JsonAsync("""{"name":"DEPLOY_TOKEN","secret":true,"value":null}""")
            : response.BytesAsync(204, "text/plain", []));
        var environment = CliRunner.LoggedIn(server.Url, _folder);

        var set = await CliRunner.RunAsync(environment, "context", "env", "set", "deploy", "DEPLOY_TOKEN", "tok-3f9a-secret", "--secret");
        var unset = await CliRunner.RunAsync(environment, "context", "env", "unset", "deploy", "DEPLOY_TOKEN");
        var delete = await CliRunner.RunAsync(environment, "context", "delete", "deploy");

        Assert.Equal("secret DEPLOY_TOKEN set in context deploy\n", set.Stdout);
        Assert.DoesNotContain("tok-3f9a-secret", set.Stdout + set.Stderr, StringComparison.Ordinal);
        Assert.Equal("variable DEPLOY_TOKEN removed from context deploy\n", unset.Stdout);
        Assert.Equal("context deploy deleted\n", delete.Stdout);
        var requests = server.Requests.ToList();
        Assert.Equal(
            [("PUT", "/api/contexts/deploy/env/DEPLOY_TOKEN"), ("DELETE", "/api/contexts/deploy/env/DEPLOY_TOKEN"), ("DELETE", "/api/contexts/deploy")],
            requests.Select(r => (r.Method, r.Path)));
        using var body = JsonDocument.Parse(requests[0].Body);
        Assert.Equal("tok-3f9a-secret", body.RootElement.GetProperty("value").GetString());
        Assert.True(body.RootElement.GetProperty("secret").GetBoolean());
    }

    [Fact]
    public async Task List_with_no_contexts_says_who_creates_one()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("[]"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "context", "list");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("no contexts yet: a server admin creates one with porthole context create NAME\n", outcome.Stdout);
    }
}
