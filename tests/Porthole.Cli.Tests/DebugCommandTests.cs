using static Porthole.Cli.Tests.SshViews;

namespace Porthole.Cli.Tests;

/// <summary>
/// <c>porthole debug</c> against a fake of Porthole's API, with keys made by the real ssh-keygen in a HOME of the
/// test's own. The ssh that would be started is recorded.
/// </summary>
public sealed class DebugCommandTests : IDisposable
{
    private const string Started = """{"workflow_id":5,"jobs":[{"job_id":42,"name":"build","attempt":3}]}""";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Home => Path.Combine(_folder.Path, "home");

    private string KnownHosts => Path.Combine(_folder.Path, "known_hosts");

    [Fact]
    public async Task Debug_starts_a_run_waits_for_its_endpoint_and_enters_it_with_a_terminal_forced()
    {
        var key = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_ed25519"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        var views = 0;
        await using var server = new FakeHttpServer((request, response) => request.Method == "POST"
            ? response.JsonAsync(Started, 202)
            : response.JsonAsync(Interlocked.Increment(ref views) == 1
                ? View(Node(0, "queued", up: false, hostKey, key.Fingerprint))
                : View(Node(0, "running", up: true, hostKey, key.Fingerprint))));
        var launcher = new RecordingLauncher(inputIsTerminal: false, exitCode: 5);

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "debug", "42");

        Assert.Equal(5, outcome.ExitCode);
        Assert.Equal("job 42 build attempt 3: debug run started\n", outcome.Stdout);
        Assert.Equal("waiting up to 300 s for the SSH endpoint of job 42 node 0 (queued)\n", outcome.Stderr);
        var requests = server.Requests.ToArray();
        Assert.Equal(["POST /api/jobs/42/debug", "GET /api/jobs/42/ssh?attempt=3", "GET /api/jobs/42/ssh?attempt=3"], requests.Select(r => $"{r.Method} {r.Target}"));
        Assert.Equal("{}", requests[0].Body);
        var (program, arguments) = Assert.Single(launcher.Runs);
        Assert.Equal("ssh", program);
        Assert.Equal(
            ["-p", "64537", "-o", $"UserKnownHostsFile={KnownHosts}", "-o", "StrictHostKeyChecking=yes",
             "-i", key.PrivatePath, "-o", "IdentitiesOnly=yes", "-tt", "root@127.0.0.1"],
            arguments);
        Assert.Equal([$"[127.0.0.1]:64537 {hostKey.KeyOnly}"], await File.ReadAllLinesAsync(KnownHosts));
    }

    [Fact]
    public async Task Debug_quiet_posts_quiet_true()
    {
        var key = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_ed25519"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        await using var server = new FakeHttpServer((request, response) => request.Method == "POST"
            ? response.JsonAsync(Started, 202)
            : response.JsonAsync(View(Node(0, "running", up: true, hostKey, key.Fingerprint))));
        var launcher = new RecordingLauncher(inputIsTerminal: true);

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "debug", "42", "--quiet");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        var post = server.Requests.First();
        Assert.Equal(("POST", "/api/jobs/42/debug"), (post.Method, post.Path));
        Assert.Equal("""{"quiet":true}""", post.Body);
        Assert.Equal("application/json; charset=utf-8", post.Header("Content-Type"));
        Assert.Contains("-tt", Assert.Single(launcher.Runs).Arguments);
    }

    [Fact]
    public async Task Debug_read_only_starts_nothing_and_asks_the_node_for_watch()
    {
        var key = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_ed25519"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            View(Node(0, "running", up: true, hostKey, "SHA256:someoneElse0000000000000000000000000000000"), Node(1, "running", up: true, hostKey, key.Fingerprint, port: 64538))));
        var launcher = new RecordingLauncher(inputIsTerminal: true);

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "debug", "42", "--read-only", "--node", "1");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
        Assert.Equal(0, outcome.ExitCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("GET", "/api/jobs/42/ssh"), (request.Method, request.Target));
        Assert.Equal(
            ["-p", "64538", "-o", $"UserKnownHostsFile={KnownHosts}", "-o", "StrictHostKeyChecking=yes",
             "-i", key.PrivatePath, "-o", "IdentitiesOnly=yes", "-tt", "root@127.0.0.1", "--", "watch"],
            Assert.Single(launcher.Runs).Arguments);
    }

    [Fact]
    public async Task Debug_no_connect_prints_the_ssh_command_once_the_endpoint_is_up()
    {
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        var views = 0;
        await using var server = new FakeHttpServer((request, response) => request.Method == "POST"
            ? response.JsonAsync(Started, 202)
            : response.JsonAsync(Interlocked.Increment(ref views) < 3
                ? View(Node(0, "running", up: false, hostKey, "SHA256:x"))
                : View(Node(0, "running", up: true, hostKey, "SHA256:x"))));
        var launcher = new RecordingLauncher();

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "debug", "42", "--no-connect", "--wait", "10");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("job 42 build attempt 3: debug run started\nssh -p 64537 root@127.0.0.1\n", outcome.Stdout);
        Assert.Equal("waiting up to 10 s for the SSH endpoint of job 42 node 0 (running)\n", outcome.Stderr);
        Assert.Equal(4, server.Requests.Count);
        Assert.Empty(launcher.Runs);
    }

    [Fact]
    public async Task Debug_read_only_no_connect_prints_the_watch_command()
    {
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(View(Node(0, "running", up: true, hostKey, "SHA256:x"))));
        var launcher = new RecordingLauncher();

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "debug", "42", "--read-only", "--no-connect");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("ssh -t -p 64537 root@127.0.0.1 -- watch\n", outcome.Stdout);
        Assert.Equal("GET", Assert.Single(server.Requests).Method);
        Assert.Empty(launcher.Runs);
    }

    [Fact]
    public async Task Debug_refused_by_the_api_fails_in_one_line_with_its_code()
    {
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(
            403, "Forbidden", "debug mode not enabled for project web: a project admin can switch it on", "debug_unavailable"));
        var launcher = new RecordingLauncher();

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "debug", "42");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("", outcome.Stdout);
        Assert.Equal("error: debug mode not enabled for project web: a project admin can switch it on (debug_unavailable)\n", outcome.Stderr);
        Assert.Equal("/api/jobs/42/debug", Assert.Single(server.Requests).Path);
        Assert.Empty(launcher.Runs);
    }

    [Fact]
    public async Task Debug_read_only_without_a_session_says_how_to_start_one()
    {
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(
            404, "Not Found", "Job 42 has not been rerun with SSH: porthole rerun 42 --ssh", "not_ssh_attempt"));
        var launcher = new RecordingLauncher();

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "debug", "42", "--read-only");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: job 42 has no debug session to join: start one with porthole debug 42 (not_ssh_attempt)\n", outcome.Stderr);
        Assert.Equal("GET", Assert.Single(server.Requests).Method);
        Assert.Empty(launcher.Runs);
    }

    [Fact]
    public async Task Debug_of_a_finished_node_says_to_start_a_new_run()
    {
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(View(Node(0, "success", up: false, hostKey, "SHA256:x"))));
        var launcher = new RecordingLauncher();

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "debug", "42", "--read-only");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal(
            "error: job 42 node 0 is success and has no SSH endpoint any more: start a new debug run with porthole debug 42\n",
            outcome.Stderr);
        Assert.Empty(launcher.Runs);
    }

    [Theory]
    [InlineData("--read-only", "--quiet")]
    [InlineData("--wait", "-1")]
    [InlineData("--node", "-1")]
    public async Task Debug_usage_errors_exit_2_in_one_line_and_send_nothing(string option, string value)
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Started, 202));
        var launcher = new RecordingLauncher();

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "debug", "42", option, value);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.StderrLines);
        Assert.Empty(server.Requests);
        Assert.Empty(launcher.Runs);
    }

    private Dictionary<string, string> Environment(FakeHttpServer server)
    {
        var environment = CliRunner.LoggedIn(server.Url, _folder);
        environment["HOME"] = Home;
        return environment;
    }
}
