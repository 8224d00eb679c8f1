using System.Text.Json;

namespace Porthole.Cli.Tests;

/// <summary>
/// <c>porthole project images</c>: prints a project's image table (issue 13), or changes it with <c>--set KEY=IMAGE</c> and
/// <c>--unset KEY</c> by reading the table, changing it and putting it back whole. Bad input is a usage error before
/// anything is sent.
/// </summary>
public sealed class ProjectImagesCommandTests : IDisposable
{
    private const string Table = """{"images":{"python 3.8":"registry.example/python:3.8","redis":"redis:7"}}""";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Without_options_it_prints_the_table()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Table));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "images", "app");

        Assert.Equal(("", 0), (outcome.Stderr, outcome.ExitCode));
        Assert.Equal(
            """
            KEY         IMAGE
            python 3.8  registry.example/python:3.8
            redis       redis:7

            """,
            outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("GET", "/api/projects/app/images"), (request.Method, request.Path));
    }

    [Fact]
    public async Task An_empty_table_says_what_serves_the_jobs_and_json_prints_the_answer_as_it_is()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("""{"images":{}}"""));
        var environment = CliRunner.LoggedIn(server.Url, _folder);

        var text = await CliRunner.RunAsync(environment, "project", "images", "app");
        var json = await CliRunner.RunAsync(environment, "project", "images", "app", "--json");

        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith("project app has no image table entries: the runner's table and the official images serve its Travis jobs", text.Stdout, StringComparison.Ordinal);
        Assert.Equal("{\"images\":{}}\n", json.Stdout);
    }

    [Fact]
    public async Task Set_and_unset_read_the_table_change_it_and_put_it_back_whole()
    {
        string? put = null;
        await using var server = new FakeHttpServer((request, response) =>
        {
            if (request.Method == "GET")
            {
                return response.JsonAsync(Table);
            }

            put = request.Body;
            return response.JsonAsync("""{"images":{"node_js":"registry.example/node:20","python 3.8":"registry.example/python:3.8-slim"}}""");
        });

        var outcome = await CliRunner.RunAsync(
            CliRunner.LoggedIn(server.Url, _folder),
            "project", "images", "app", "--set", "python 3.8=registry.example/python:3.8-slim", "--set", "node_js = registry.example/node:20", "--unset", "redis");

        Assert.Equal(("", 0), (outcome.Stderr, outcome.ExitCode));
        Assert.Equal(["GET", "PUT"], server.Requests.Select(r => r.Method));
        Assert.Equal("/api/projects/app/images", server.Requests.Last().Path);
        using var body = JsonDocument.Parse(put!);
        Assert.Equal(
            [("node_js", "registry.example/node:20"), ("python 3.8", "registry.example/python:3.8-slim")],
            body.RootElement.GetProperty("images").EnumerateObject().Select(p => (p.Name, p.Value.GetString())).OrderBy(p => p.Name, StringComparer.Ordinal));
        Assert.Equal(
            """
            KEY         IMAGE
            node_js     registry.example/node:20
            python 3.8  registry.example/python:3.8-slim

            """,
            outcome.Stdout);
    }

    [Theory]
    [InlineData("--set", "python 3.8", "has no '='")]
    [InlineData("--set", "Python 3.8=python:3.8", "is not an image table key")]
    [InlineData("--set", "python  3.8=python:3.8", "is not an image table key")]
    [InlineData("--set", "python 3.8=", "has no image")]
    [InlineData("--set", "python 3.8=python:3.8 --privileged", "is not a Docker image reference")]
    [InlineData("--set", "python=Python:3", "is not a Docker image reference")]
    [InlineData("--unset", "python 3.8 x", "is not an image table key")]
    [InlineData("--unset", "", "is not an image table key")]
    public async Task Bad_input_is_a_usage_error_and_nothing_is_sent(string option, string value, string message)
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Table));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "images", "app", option, value);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(message, Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", outcome.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_key_both_set_and_unset_is_a_usage_error_and_unsetting_a_missing_key_changes_nothing()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Table));
        var environment = CliRunner.LoggedIn(server.Url, _folder);

        var both = await CliRunner.RunAsync(environment, "project", "images", "app", "--set", "redis=redis:6", "--unset", "redis");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("'redis' is both in --set and in --unset", both.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Requests);

        var missing = await CliRunner.RunAsync(environment, "project", "images", "app", "--unset", "ruby");
        Assert.Equal((1, "error: project app's image table has no entry 'ruby': nothing was changed\n"), (missing.ExitCode, missing.Stderr));
        Assert.Equal(["GET"], server.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task The_servers_refusal_is_one_line()
    {
        const string Detail = "You have read access to project app; to change its image table you need admin access. Ask a project admin.";
        await using var server = new FakeHttpServer((request, response) => request.Method == "GET"
            ? response.JsonAsync(Table)
            : response.ProblemAsync(403, "Forbidden", Detail, "forbidden"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "images", "app", "--set", "redis=redis:6");

        Assert.Equal((1, $"error: {Detail} (forbidden)\n"), (outcome.ExitCode, outcome.Stderr));
    }
}
