namespace Porthole.Cli.Tests;

/// <summary>
/// Breakpoints in the CLI (R-BEY-4): <c>porthole rerun --ssh --break-before STEP</c> / <c>--break-on-failure</c> and
/// <c>porthole debug --from-step STEP</c> against a fake of Porthole's API; the flags' usage errors; the server's refusal
/// printed as it said it; <c>porthole job</c> naming an attempt's breakpoint.
/// </summary>
public sealed class BreakpointCommandsTests : IDisposable
{
    private const string Started = """{"workflow_id":5,"jobs":[{"job_id":42,"name":"build","attempt":3}]}""";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Rerun_break_before_sends_the_step_as_given_and_says_where_it_stops()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Started, 202));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "rerun", "42", "--ssh", "--break-before", "Run tests");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            job 42 build attempt 3 with SSH, stopping before step Run tests
            enter it: porthole ssh 42
            in the session, porthole-continue runs the rest of the steps
            if your key is refused: porthole ssh doctor 42

            """,
            outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/jobs/42/rerun"), (request.Method, request.Path));
        Assert.Equal("""{"ssh":true,"break_before":"Run tests"}""", request.Body);
    }

    [Fact]
    public async Task Rerun_break_on_failure_sends_break_on_failure_true()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Started, 202));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "rerun", "42", "--ssh", "--break-on-failure");

        Assert.Equal(0, outcome.ExitCode);
        Assert.StartsWith("job 42 build attempt 3 with SSH, stopping at the first failing step\n", outcome.Stdout, StringComparison.Ordinal);
        Assert.Equal("""{"ssh":true,"break_on_failure":true}""", Assert.Single(server.Requests).Body);
    }

    [Theory]
    [InlineData("--break-before stops a rerun with SSH: add --ssh (porthole rerun JOB --ssh --break-before STEP)", "rerun", "42", "--break-before", "2")]
    [InlineData("--break-on-failure stops a rerun with SSH: add --ssh (porthole rerun JOB --ssh --break-on-failure)", "rerun", "42", "--break-on-failure")]
    [InlineData("a run stops at one breakpoint: give --break-before STEP or --break-on-failure, not both", "rerun", "42", "--ssh", "--break-before", "2", "--break-on-failure")]
    [InlineData("--from-step applies to the debug run porthole debug starts; --read-only starts none", "debug", "42", "--read-only", "--from-step", "2")]
    public async Task A_breakpoint_without_ssh_two_of_them_or_a_from_step_when_watching_is_a_usage_error(string message, params string[] arguments)
    {
        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(FakeHttpServer.ClosedUrl(), _folder), arguments);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(message, Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
        Assert.Equal("", outcome.Stdout);
    }

    [Fact]
    public async Task A_step_the_job_does_not_have_is_refused_with_the_servers_list_of_steps()
    {
        const string Detail = "Job 42 has no step 'tests'. Its steps: 0 Checkout code, 1 Install deps, 2 Run tests.";
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(422, "Unprocessable Entity", Detail, "step_not_found"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "rerun", "42", "--ssh", "--break-before", "tests");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal($"error: {Detail} (step_not_found)\n", outcome.Stderr);
    }

    [Fact]
    public async Task Debug_from_step_posts_from_step_and_says_where_it_stops()
    {
        await using var server = new FakeHttpServer((request, response) => request.Method == "POST"
            ? response.JsonAsync(Started, 202)
            : response.ProblemAsync(404, "Not Found", "gone", "job_not_found"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "debug", "42", "--from-step", "2", "--no-connect", "--wait", "0");

        Assert.StartsWith("job 42 build attempt 3: debug run started, stopping before step 2\n", outcome.Stdout, StringComparison.Ordinal);
        var post = server.Requests.First();
        Assert.Equal(("POST", "/api/jobs/42/debug"), (post.Method, post.Path));
        Assert.Equal("""{"from_step":"2"}""", post.Body);
    }

    [Fact]
    public async Task Job_names_an_attempts_breakpoint_with_its_step()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("""
            {"id":42,"name":"build","status":"failed","pipeline_id":1,"pipeline_number":1,"project":"app","workflow_id":5,
             "workflow_name":"main","parallelism":1,"requires":[],"attempts":[
              {"number":1,"status":"failed","reason":"trigger","ssh":false,"created_at":"2026-12-06T10:00:00Z","nodes":[]},
              {"number":2,"status":"running","reason":"rerun_with_ssh","ssh":true,"created_at":"2026-12-06T10:05:00Z","nodes":[],
               "debug":true,"break_before":2,"break_before_step":"Run tests","break_on_failure":false},
              {"number":3,"status":"queued","reason":"debug","ssh":true,"created_at":"2026-12-06T10:09:00Z","nodes":[],
               "debug":true,"break_on_failure":true}]}
            """));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "job", "42");

        Assert.Equal(0, outcome.ExitCode);
        var lines = outcome.Stdout.Split('\n');
        Assert.Equal(1, lines.Count(l => l == "  debug run, stopping before step 2 (Run tests)"));
        Assert.Equal(1, lines.Count(l => l == "  debug run, stopping at the first failing step"));
        Assert.Equal(2, lines.Count(l => l.StartsWith("  debug run", StringComparison.Ordinal)));
    }
}
