namespace Porthole.Cli.Tests;

/// <summary>Commands that call the API: what they send, what they print, and one line per error.</summary>
public sealed class ApiCommandsTests : IDisposable
{
    private const string Pipeline = """
        {"id":41,"project":"web","number":3,"ref":"main","commit":"0123456789abcdef0123456789abcdef01234567","status":"running",
         "config_path":".circleci/config.yml","created_at":"2025-11-23T04:16:09Z",
         "workflows":[{"id":5,"name":"build_and_test","status":"running","jobs":[
           {"id":42,"name":"build","status":"running","parallelism":2,"requires":[],"attempts":1},
           {"id":43,"name":"test","status":"blocked","parallelism":1,"requires":["build"],"attempts":1}]}]}
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task An_api_error_is_printed_as_one_line_with_its_code()
    {
        await using var server = new FakeHttpServer((request, response) =>
            response.ProblemAsync(404, "Not found", "no project named web\\nask an admin to add it", "project_not_found"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "trigger", "web", "--ref", "main");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: no project named web ask an admin to add it (project_not_found)\n", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/projects/web/pipelines", request.Path);
        Assert.Equal("""{"ref":"main"}""", request.Body);
    }

    [Fact]
    public async Task An_error_that_is_not_problem_details_is_described_by_its_status()
    {
        await using var server = new FakeHttpServer((request, response) =>
            response.BytesAsync(409, "text/html", "<html>\n<body>busy</body>\n</html>"u8.ToArray()));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "cancel", "42");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal($"error: the server at {server.Url} answered 409 Conflict to POST /api/jobs/42/cancel\n", outcome.Stderr);
    }

    [Fact]
    public async Task Trigger_prints_the_pipeline_its_jobs_and_how_to_follow_the_first()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Pipeline, 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "trigger", "web", "--commit", "0123456");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            pipeline 41 (#3) running
            job 42 build running
            job 43 test blocked
            follow its log: porthole logs 42 -f

            """,
            outcome.Stdout);
        Assert.Equal("""{"commit":"0123456"}""", Assert.Single(server.Requests).Body);
    }

    [Fact]
    public async Task Jobs_prints_a_table_with_ids_shown_with_their_kind()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Pipeline));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "jobs", "41");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            pipeline 41 (#3) of web at main 01234567: running
            WORKFLOW        JOB     NAME   STATUS   PARALLELISM  ATTEMPTS  REQUIRES
            build_and_test  job 42  build  running  2            1         -
            build_and_test  job 43  test   blocked  1            1         build

            """,
            outcome.Stdout);
        Assert.Equal("/api/pipelines/41", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task Json_prints_the_answer_as_the_server_sent_it()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Pipeline));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "jobs", "41", "--json");

        Assert.Equal(Pipeline + "\n", outcome.Stdout);
    }

    [Fact]
    public async Task Job_prints_its_attempts_nodes_and_steps()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("""
            {"id":42,"name":"build","status":"failed","pipeline_id":41,"pipeline_number":3,"project":"web","workflow_id":5,
             "workflow_name":"build_and_test","parallelism":1,"requires":["lint","deps"],"attempts":[
              {"number":1,"status":"failed","reason":"triggered","created_at":"2025-11-23T04:16:09Z","started_at":"2025-11-23T04:16:10Z",
               "finished_at":"2025-11-23T04:17:00Z","nodes":[{"index":0,"status":"failed","message":null,"log_length":2048,"steps":[
                {"index":0,"name":"checkout","status":"success","exit_code":0,"log_start":0,"log_end":120,"started_at":"2025-11-23T04:16:10Z","finished_at":"2025-11-23T04:16:12Z","background":false},
                {"index":1,"name":"go test ./...","status":"failed","exit_code":1,"log_start":120,"log_end":2048,"started_at":"2025-11-23T04:16:12Z","finished_at":null,"background":false}]}]}]}
            """));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "job", "42");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            job 42 build: failed
            project web, pipeline 41 (#3), workflow 5 build_and_test
            parallelism 1, requires lint,deps

            attempt 1: failed (triggered), created 2025-11-23 04:16:09Z, started 2025-11-23 04:16:10Z, finished 2025-11-23 04:17:00Z
              node 0: failed (2048 bytes of log)
                STEP    NAME           STATUS   EXIT  STARTED               FINISHED
                step 0  checkout       success  0     2025-11-23 04:16:10Z  2025-11-23 04:16:12Z
                step 1  go test ./...  failed   1     2025-11-23 04:16:12Z  -

            """,
            outcome.Stdout);
        Assert.Equal("/api/jobs/42", Assert.Single(server.Requests).Path);
    }

    [Theory]
    [InlineData(false, "{}")]
    [InlineData(true, """{"from_failed":true}""")]
    public async Task Rerun_sends_from_failed_and_prints_the_new_attempts(bool fromFailed, string body)
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"workflow_id":5,"jobs":[{"job_id":42,"name":"build","attempt":2},{"job_id":43,"name":"test","attempt":2}]}"""));
        string[] args = fromFailed ? ["rerun", "42", "--from-failed"] : ["rerun", "42"];

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), args);

        Assert.Equal(0, outcome.ExitCode);
        Assert.StartsWith("job 42 build attempt 2\njob 43 test attempt 2\n", outcome.Stdout, StringComparison.Ordinal);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/api/jobs/42/rerun", request.Path);
        Assert.Equal(body, request.Body);
    }

    [Fact]
    public async Task Env_set_sends_a_secret_and_never_echoes_it()
    {
        await using var server = new FakeHttpServer((request, response) =>
            response.JsonAsync("""{"name":"DEPLOY_KEY","secret":true,"value":null}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "env", "set", "web", "DEPLOY_KEY", "hunter2", "--secret");

        Assert.Equal(0, outcome.ExitCode);
        Assert.DoesNotContain("hunter2", outcome.Stdout + outcome.Stderr, StringComparison.Ordinal);
        var request = Assert.Single(server.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/api/projects/web/env/DEPLOY_KEY", request.Path);
        Assert.Equal("""{"value":"hunter2","secret":true}""", request.Body);
    }

    [Theory]
    [InlineData("logs", "abc")]
    [InlineData("jobs", "#3")]
    [InlineData("project", "add", "web", "https://example.com/web.git", "--visibility", "secret")]
    [InlineData("bogus")]
    [InlineData]
    public async Task A_usage_error_is_one_line_and_exit_2(params string[] args)
    {
        var outcome = await CliRunner.RunAsync(new Dictionary<string, string>(), args);

        Assert.Equal(2, outcome.ExitCode);
        var line = Assert.Single(outcome.StderrLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
    }
}
