namespace Porthole.Cli.Tests;

/// <summary><c>porthole tests</c>: the counts, the failed and errored tests first with their message and file, then the rest.</summary>
public sealed class TestsCommandTests : IDisposable
{
    // Passed first on purpose: the CLI puts the failures first whatever order it gets them in.
    private const string Results = """
        {"counts":{"total":5,"passed":2,"failed":1,"errored":1,"skipped":1},
         "items":[
          {"id":1,"name":"test_add","classname":"tests.test_math","file":"tests/test_math.py","result":"success","run_time":0.0123,"message":null,"details":null,"source":"junit.xml","node_index":0},
          {"id":2,"name":"test_divide","classname":"tests.test_math","file":"tests/test_math.py","result":"failure","run_time":0.5,
           "message":"\nZeroDivisionError: division by zero\n  at line 12","details":"Traceback (most recent call last):\n  ...","source":"junit.xml","node_index":0},
          {"id":3,"name":"test_slow","classname":"tests.test_math","file":null,"result":"skipped","run_time":0,"message":"slow","details":null,"source":"junit.xml","node_index":0},
          {"id":4,"name":"test_connect","classname":"tests.test_db","file":"tests/test_db.py","result":"error","run_time":1.25,
           "message":null,"details":"\u001b[31mConnectionRefusedError\u001b[0m: [Errno 111]\nmore","source":"junit.xml","node_index":0},
          {"id":5,"name":"TestParse","classname":"","file":null,"result":"success","run_time":2,"message":null,"details":null,"source":"go.xml","node_index":0}],
         "next_page_token":null}
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Shows_the_counts_then_the_failures_with_message_and_file_then_the_rest()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Results));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tests", "12", "--attempt", "2");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            5 tests: 2 passed, 1 failed, 1 errored, 1 skipped

            FAILED  test_divide (tests.test_math)  tests/test_math.py
                ZeroDivisionError: division by zero

            ERRORED  test_connect (tests.test_db)  tests/test_db.py
                ConnectionRefusedError: [Errno 111]

            RESULT   TEST                         FILE                TIME
            passed   test_add (tests.test_math)   tests/test_math.py  0.012 s
            skipped  test_slow (tests.test_math)  -                   0 s
            passed   TestParse                    -                   2 s

            """,
            outcome.Stdout);
        Assert.DoesNotContain('\u001b', outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/api/jobs/12/tests", request.Path);
        Assert.Equal("2", request.Query("attempt"));
    }

    [Fact]
    public async Task Failed_leaves_out_the_tests_that_passed_or_were_skipped()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Results));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tests", "12", "--failed");

        Assert.Equal(0, outcome.ExitCode);
        Assert.StartsWith("5 tests: 2 passed, 1 failed, 1 errored, 1 skipped\n", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("test_divide", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("test_connect", outcome.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("test_add", outcome.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("test_slow", outcome.Stdout, StringComparison.Ordinal);
        Assert.Null(Assert.Single(server.Requests).Query("attempt"));
    }

    [Fact]
    public async Task Tests_of_several_nodes_say_which_node()
    {
        const string twoNodes = """
            {"counts":{"total":2,"passed":1,"failed":1,"errored":0,"skipped":0},"items":[
             {"id":7,"name":"b","classname":"B","file":"b_test.go","result":"failure","run_time":0,"message":"want 1","details":null,"source":"r.xml","node_index":1},
             {"id":8,"name":"a","classname":"A","file":"a_test.go","result":"success","run_time":0.5,"message":null,"details":null,"source":"r.xml","node_index":0}]}
            """;
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(twoNodes));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tests", "12");

        Assert.Equal(
            """
            2 tests: 1 passed, 1 failed

            FAILED  b (B)  b_test.go, node 1
                want 1

            RESULT  TEST   FILE       TIME   NODE
            passed  a (A)  a_test.go  0.5 s  0

            """,
            outcome.Stdout);
    }

    [Fact]
    public async Task Json_prints_the_servers_answer_as_it_is()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Results));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tests", "12", "--json");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(Results + "\n", outcome.Stdout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--failed")]
    public async Task No_results_says_so(string option)
    {
        await using var server = new FakeHttpServer((request, response) =>
            response.JsonAsync("""{"counts":{"total":0,"passed":0,"failed":0,"errored":0,"skipped":0},"items":[],"next_page_token":null}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), [.. new[] { "tests", "12", option }.Where(a => a.Length > 0)]);

        Assert.Equal((0, "No test results.\n", ""), (outcome.ExitCode, outcome.Stdout, outcome.Stderr));
    }

    [Fact]
    public async Task Failed_when_every_test_passed_says_none_failed()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("""
            {"counts":{"total":1,"passed":1,"failed":0,"errored":0,"skipped":0},"items":[
             {"id":1,"name":"a","classname":"A","file":null,"result":"success","run_time":0,"message":null,"details":null,"source":"r.xml","node_index":0}]}
            """));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tests", "12", "--failed");

        Assert.Equal("1 test: 1 passed, 0 failed\nNo failed tests.\n", outcome.Stdout);
    }

    [Fact]
    public async Task Cases_over_the_servers_cap_are_counted_as_not_stored()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("""
            {"counts":{"total":1,"passed":1,"failed":0,"errored":0,"skipped":0,"ignored":3},"items":[
             {"id":1,"name":"a","classname":"A","file":null,"result":"success","run_time":0,"message":null,"details":null,"source":"r.xml","node_index":0}]}
            """));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "tests", "12", "--failed");

        Assert.Equal("1 test: 1 passed, 0 failed\n3 more cases were not stored: over the server's cap of test cases per node\nNo failed tests.\n", outcome.Stdout);
    }

    [Fact]
    public async Task An_attempt_below_1_is_a_usage_error()
    {
        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(FakeHttpServer.ClosedUrl(), _folder), "tests", "12", "-a", "0");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("error: --attempt must be 1 or more\n", outcome.Stderr);
    }
}
