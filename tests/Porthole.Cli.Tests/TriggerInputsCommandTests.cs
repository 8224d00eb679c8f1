using System.Text.Json;

namespace Porthole.Cli.Tests;

/// <summary>
/// How pipelines start, from the command line: <c>porthole trigger --tag/--param</c>, <c>porthole project hook</c> and
/// <c>porthole schedules</c>, against a stand-in server that records what the CLI sends.
/// </summary>
public sealed class TriggerInputsCommandTests : IDisposable
{
    private const string TagPipeline = """
        {"id":41,"project":"web","number":3,"ref":"v1.2.3","commit":"0123456789abcdef","status":"queued","config_path":".circleci/config.yml",
         "created_at":"2025-11-23T04:16:09+00:00","workflows":[{"id":42,"name":"release","status":"queued","jobs":[{"id":43,"name":"publish","status":"queued","parallelism":1,"requires":[],"attempts":1}]}],
         "branch":null,"tag":"v1.2.3","trigger_source":"api","parameters":[{"name":"deploy","value":"true"},{"name":"region","value":"eu west"}]}
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Trigger_with_a_tag_and_parameters_sends_them_and_prints_what_was_bound()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(TagPipeline, 201));

        var outcome = await CliRunner.RunAsync(
            CliRunner.LoggedIn(server.Url, _folder), "trigger", "web", "--tag", "v1.2.3", "--param", "deploy=true", "--param", "region=eu west", "--param", "empty=");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/projects/web/pipelines", request.Path);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("v1.2.3", body.GetProperty("tag").GetString());
        Assert.False(body.TryGetProperty("ref", out _));
        var parameters = body.GetProperty("parameters");
        Assert.Equal("true", parameters.GetProperty("deploy").GetString());
        Assert.Equal("eu west", parameters.GetProperty("region").GetString());
        Assert.Equal("", parameters.GetProperty("empty").GetString());
        Assert.StartsWith("pipeline 41 (#3) at tag v1.2.3 queued\nparameters: deploy=true region=eu west\njob 43 publish queued\n", outcome.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--param", "novalue")]
    [InlineData("--param", "=value")]
    public async Task A_parameter_that_is_not_name_equals_value_is_a_usage_error(string option, string value)
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(TagPipeline, 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "trigger", "web", option, value);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--param takes NAME=VALUE", outcome.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_parameter_given_twice_and_a_ref_with_a_tag_are_usage_errors()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(TagPipeline, 201));

        var twice = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "trigger", "web", "--param", "a=1", "--param", "a=2");
        var both = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "trigger", "web", "--ref", "main", "--tag", "v1");

        Assert.Equal(2, twice.ExitCode);
        Assert.Contains("--param a is given twice", twice.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("give --ref or --tag, not both", both.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_config_error_in_a_parameter_is_one_line_with_its_code()
    {
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(
            422, "Unprocessable", "The config at 0123456789ab cannot run: .circleci/config.yml:3:3: Unexpected argument(s): nope", "config_invalid"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "trigger", "web", "--param", "nope=1");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: The config at 0123456789ab cannot run: .circleci/config.yml:3:3: Unexpected argument(s): nope (config_invalid)\n", outcome.Stderr);
    }

    [Fact]
    public async Task Pipelines_shows_the_trigger_source_the_tag_and_the_parameters()
    {
        var scheduled = TagPipeline
            .Replace("\"id\":41", "\"id\":51", StringComparison.Ordinal)
            .Replace("\"tag\":\"v1.2.3\"", "\"tag\":null", StringComparison.Ordinal)
            .Replace("\"ref\":\"v1.2.3\"", "\"ref\":\"main\"", StringComparison.Ordinal)
            .Replace("\"trigger_source\":\"api\"", "\"trigger_source\":\"schedule\",\"schedule_name\":\"nightly\"", StringComparison.Ordinal)
            .Replace("\"parameters\":[{\"name\":\"deploy\",\"value\":\"true\"},{\"name\":\"region\",\"value\":\"eu west\"}]", "\"parameters\":[]", StringComparison.Ordinal);
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync($"[{scheduled},{TagPipeline}]"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "pipelines", "web");

        Assert.Equal(0, outcome.ExitCode);
        var lines = outcome.Stdout.Split('\n');
        Assert.Equal(["PIPELINE", "NUMBER", "REF", "COMMIT", "STATUS", "SOURCE", "CREATED", "PARAMETERS"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("main", lines[1], StringComparison.Ordinal);
        Assert.Contains("schedule:nightly", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(" -", lines[1].TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("tag v1.2.3", lines[2], StringComparison.Ordinal);
        Assert.Contains(" api ", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("deploy=true region=eu west", lines[2].TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Project_hook_makes_the_secret_when_there_is_none_and_prints_it_once()
    {
        await using var server = new FakeHttpServer((request, response) => request.Method == "GET"
            ? response.JsonAsync("""{"project":"web","path":"/api/projects/web/hooks/github","url":"http://internal:1/api/projects/web/hooks/github","has_secret":false}""")
            : response.JsonAsync("""{"project":"web","path":"/api/projects/web/hooks/github","url":"http://internal:1/api/projects/web/hooks/github","has_secret":true,"secret_created_at":"2025-11-23T04:16:09+00:00","secret_created_by":"ada","secret":"5ec7e7"}""", 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "hook", "web");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(["GET", "POST"], server.Requests.Select(r => r.Method));
        Assert.All(server.Requests, r => Assert.Equal("/api/projects/web/hook", r.Path));
        Assert.False(JsonDocument.Parse(server.Requests.Last().Body).RootElement.GetProperty("rotate").GetBoolean());
        Assert.StartsWith($"webhook of project web: {server.Url}/api/projects/web/hooks/github\nsecret: 5ec7e7\n", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Project_hook_with_a_secret_says_it_exists_without_making_one_and_rotate_replaces_it()
    {
        const string Exists = """{"project":"web","path":"/api/projects/web/hooks/github","url":"x","has_secret":true,"secret_created_at":"2025-11-23T04:16:09+00:00","secret_created_by":"ada"}""";
        await using var server = new FakeHttpServer((request, response) => request.Method == "GET"
            ? response.JsonAsync(Exists)
            : response.JsonAsync(Exists.Replace("}", ""","secret":"n3w"}""", StringComparison.Ordinal), 201));

        var shown = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "hook", "web");
        var rotated = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "hook", "web", "--rotate");

        Assert.Equal(0, shown.ExitCode);
        Assert.Equal(
            $"webhook of project web: {server.Url}/api/projects/web/hooks/github\n"
            + "a secret exists (made by ada at 2025-11-23 04:16:09Z); it is not shown again: replace it with porthole project hook web --rotate\n",
            shown.Stdout);
        Assert.Equal(0, rotated.ExitCode);
        Assert.Contains("secret: n3w\n", rotated.Stdout, StringComparison.Ordinal);
        Assert.Equal(["GET", "POST"], server.Requests.Select(r => r.Method));
        Assert.True(JsonDocument.Parse(server.Requests.Last().Body).RootElement.GetProperty("rotate").GetBoolean());
    }

    [Fact]
    public async Task Schedules_prints_a_table_and_json_as_it_is()
    {
        const string Answer = """
            [{"workflow":"nightly","cron":"0 3 * * *","branch":"main","next_run_at":"2025-11-24T03:00:00+00:00","last_run_at":"2025-11-23T03:00:00+00:00","last_pipeline_id":41,"last_pipeline_number":3,"last_error":null},
             {"workflow":"weekly","cron":"0 4 * * 1","branch":"main","next_run_at":"2025-11-24T04:00:00+00:00","last_run_at":null,"last_pipeline_id":null,"last_pipeline_number":null,"last_error":"The config at 0123 cannot run"}]
            """;
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Answer));

        var table = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "schedules", "web");
        var json = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "schedules", "web", "--json");

        Assert.Equal(0, table.ExitCode);
        Assert.Equal(
            """
            BRANCH  WORKFLOW  CRON       NEXT RUN              LAST RUN              LAST PIPELINE
            main    nightly   0 3 * * *  2025-11-24 03:00:00Z  2025-11-23 03:00:00Z  pipeline 41 (#3)
            main    weekly    0 4 * * 1  2025-11-24 04:00:00Z  -                     none: The config at 0123 cannot run

            """,
            table.Stdout);
        Assert.Equal(Answer + "\n", json.Stdout);
        Assert.All(server.Requests, r => Assert.Equal("/api/projects/web/schedules", r.Path));
    }

    [Fact]
    public async Task No_schedules_says_how_a_workflow_gets_one()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("[]"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "schedules", "web");

        Assert.Equal(0, outcome.ExitCode);
        Assert.StartsWith("no scheduled workflows in project web:", outcome.Stdout, StringComparison.Ordinal);
    }
}
