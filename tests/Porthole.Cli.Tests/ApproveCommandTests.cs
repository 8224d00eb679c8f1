namespace Porthole.Cli.Tests;

/// <summary><c>porthole approve JOB</c>: what it sends, what it prints, its refusals as one line, and the approval hints of <c>jobs</c> and <c>pipelines</c>.</summary>
public sealed class ApproveCommandTests : IDisposable
{
    private const string ApprovedJob = """
        {"id":43,"name":"hold","status":"success","pipeline_id":41,"pipeline_number":3,"project":"web","workflow_id":5,
         "workflow_name":"ship","parallelism":1,"requires":["build"],
         "attempts":[{"number":1,"status":"success","reason":"trigger","ssh":false,"created_at":"2025-11-23T04:16:09Z","nodes":[]}],
         "type":"approval","approval_request_id":43,"approved_by":"grace","approved_at":"2025-11-23T04:20:00Z"}
        """;

    private const string OnHoldPipeline = """
        {"id":41,"project":"web","number":3,"ref":"main","commit":"0123456789abcdef0123456789abcdef01234567","status":"on_hold",
         "config_path":".circleci/config.yml","created_at":"2025-11-23T04:16:09Z",
         "workflows":[{"id":5,"name":"ship","status":"on_hold","jobs":[
           {"id":42,"name":"build","status":"success","parallelism":1,"requires":[],"attempts":1,"type":"build"},
           {"id":43,"name":"hold","status":"on_hold","parallelism":1,"requires":["build"],"attempts":1,"type":"approval","approval_request_id":43},
           {"id":44,"name":"deploy","status":"blocked","parallelism":1,"requires":["hold"],"attempts":1}]}]}
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Approve_posts_to_the_job_and_says_who_approved_it()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(ApprovedJob, 202));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "approve", "43");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("job 43 hold approved by grace: success\nfollow the workflow: porthole jobs 41\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/jobs/43/approve", request.Path);
        Assert.Equal("Bearer t0ken", request.Header("Authorization"));
    }

    [Fact]
    public async Task A_refusal_is_one_line_with_its_code()
    {
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(
            409, "Conflict", "Approval job 43 (hold) is blocked: it can be approved once build has succeeded.", "approval_not_on_hold"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "approve", "43");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: Approval job 43 (hold) is blocked: it can be approved once build has succeeded. (approval_not_on_hold)\n", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
    }

    [Fact]
    public async Task A_job_id_that_is_not_a_number_is_a_usage_error_and_nothing_is_sent()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(ApprovedJob, 202));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "approve", "hold");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("'hold' is not a job id", outcome.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Jobs_marks_the_approval_and_says_how_to_approve_it()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(OnHoldPipeline));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "jobs", "41");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            pipeline 41 (#3) of web at main 01234567: on_hold
            WORKFLOW  JOB     NAME             STATUS   PARALLELISM  ATTEMPTS  REQUIRES
            ship      job 42  build            success  1            1         -
            ship      job 43  hold (approval)  on_hold  1            1         build
            ship      job 44  deploy           blocked  1            1         hold
            job 43 hold is on hold, waiting for approval: porthole approve 43

            """,
            outcome.Stdout);
    }

    [Fact]
    public async Task Pipelines_says_what_a_pipeline_on_hold_waits_for()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync($"[{OnHoldPipeline}]"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "pipelines", "web");

        Assert.Equal(0, outcome.ExitCode);
        Assert.EndsWith(
            "on_hold: waiting for an approval; see its approval jobs with porthole jobs 41, approve one with porthole approve JOB\n",
            outcome.Stdout,
            StringComparison.Ordinal);
        Assert.Contains("pipeline 41  #3      main  01234567  on_hold", outcome.Stdout, StringComparison.Ordinal);
    }
}
