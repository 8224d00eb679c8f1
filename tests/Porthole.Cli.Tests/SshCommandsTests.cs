using System.Text.Json.Nodes;
using static Porthole.Cli.Tests.SshViews;

namespace Porthole.Cli.Tests;

/// <summary>
/// <c>porthole rerun --ssh</c>, <c>porthole ssh</c> and <c>porthole ssh doctor</c> against a fake of Porthole's API,
/// with keys made by the real ssh-keygen in a HOME of the test's own. The ssh that would be started is recorded.
/// </summary>
public sealed class SshCommandsTests : IDisposable
{
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Home => Path.Combine(_folder.Path, "home");

    private string KnownHosts => Path.Combine(_folder.Path, "known_hosts");

    [Fact]
    public async Task Rerun_with_ssh_sends_ssh_true_and_says_how_to_enter_the_job()
    {
        await using var server = new FakeHttpServer((request, response) =>
            response.JsonAsync("""{"workflow_id":5,"jobs":[{"job_id":42,"name":"build","attempt":3}]}""", 202));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "rerun", "42", "--ssh");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            job 42 build attempt 3 with SSH
            enter it: porthole ssh 42
            if your key is refused: porthole ssh doctor 42

            """,
            outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/jobs/42/rerun", request.Path);
        Assert.Equal("""{"ssh":true}""", request.Body);
    }

    [Fact]
    public async Task Rerun_with_ssh_and_from_failed_is_a_usage_error()
    {
        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(FakeHttpServer.ClosedUrl(), _folder), "rerun", "42", "--ssh", "--from-failed");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.StderrLines);
    }

    [Fact]
    public async Task Ssh_waits_for_the_endpoint_pins_its_host_key_and_offers_the_accepted_local_key()
    {
        var first = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_a"));
        var second = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_b"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "ssh_host_ed25519_key"), "root@runner");
        await File.WriteAllTextAsync(KnownHosts, $"[127.0.0.1]:64537 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOLDHOSTKEY\n[10.0.0.9]:2222 {hostKey.KeyOnly}\n");
        var answers = 0;
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            Interlocked.Increment(ref answers) == 1
                ? View(Node(0, "queued", up: false, hostKey, second.Fingerprint))
                : View(Node(0, "running", up: true, hostKey, second.Fingerprint))));
        var launcher = new RecordingLauncher(inputIsTerminal: true, exitCode: 7);

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "ssh", "42");

        Assert.Equal(7, outcome.ExitCode);
        Assert.Equal("waiting up to 60 s for the SSH endpoint of job 42 node 0 (queued)\n", outcome.Stderr);
        Assert.Equal(["/api/jobs/42/ssh", "/api/jobs/42/ssh"], server.Requests.Select(r => r.Path));
        var (program, arguments) = Assert.Single(launcher.Runs);
        Assert.Equal("ssh", program);
        Assert.Equal(
            ["-p", "64537", "-o", $"UserKnownHostsFile={KnownHosts}", "-o", "StrictHostKeyChecking=yes",
             "-i", second.PrivatePath, "-o", "IdentitiesOnly=yes", "-t", "root@127.0.0.1"],
            arguments);
        Assert.Equal(Mode600, File.GetUnixFileMode(KnownHosts));
        Assert.Equal(
            [$"[10.0.0.9]:2222 {hostKey.KeyOnly}", $"[127.0.0.1]:64537 {hostKey.KeyOnly}"],
            await File.ReadAllLinesAsync(KnownHosts));
        Assert.NotEqual(first.Fingerprint, second.Fingerprint);
    }

    [Fact]
    public async Task Ssh_creates_known_hosts_with_mode_600_and_passes_a_command_after_a_double_dash()
    {
        var key = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_ed25519"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        await using var server = new FakeHttpServer((request, response) =>
            response.JsonAsync(View(Node(0, "running", up: true, hostKey, "SHA256:someoneElse0000000000000000000000000000000"), Node(1, "running", up: true, hostKey, key.Fingerprint, port: 64538))));
        var launcher = new RecordingLauncher(inputIsTerminal: true);

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "ssh", "42", "--node", "1", "--attempt", "3", "--", "ls", "-la", "/tmp");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("3", Assert.Single(server.Requests).Query("attempt"));
        Assert.Equal(
            ["-p", "64538", "-o", $"UserKnownHostsFile={KnownHosts}", "-o", "StrictHostKeyChecking=yes",
             "-i", key.PrivatePath, "-o", "IdentitiesOnly=yes", "root@127.0.0.1", "--", "ls", "-la", "/tmp"],
            Assert.Single(launcher.Runs).Arguments);
        Assert.Equal(Mode600, File.GetUnixFileMode(KnownHosts));
        Assert.Equal([$"[127.0.0.1]:64538 {hostKey.KeyOnly}"], await File.ReadAllLinesAsync(KnownHosts));
    }

    [Fact]
    public async Task Ssh_with_no_accepted_local_key_fails_in_one_line_that_names_doctor()
    {
        await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_ed25519"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        const string Accepted = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(View(Node(0, "running", up: true, hostKey, Accepted))));
        var launcher = new RecordingLauncher();

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "ssh", "42");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal(
            $"error: none of your local keys (~/.ssh/*.pub) is accepted by job 42 node 0, which accepts {Accepted}: run porthole ssh doctor 42\n",
            outcome.Stderr);
        Assert.Empty(launcher.Runs);
    }

    [Fact]
    public async Task Ssh_with_an_identity_offers_that_file()
    {
        var key = await TestKey.MakeAsync(Path.Combine(_folder.Path, "elsewhere", "deploy"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(View(Node(0, "running", up: true, hostKey, key.Fingerprint))));
        var launcher = new RecordingLauncher();

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "ssh", "42", "--identity", key.PrivatePath);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            ["-p", "64537", "-o", $"UserKnownHostsFile={KnownHosts}", "-o", "StrictHostKeyChecking=yes",
             "-i", key.PrivatePath, "-o", "IdentitiesOnly=yes", "root@127.0.0.1"],
            Assert.Single(launcher.Runs).Arguments);
    }

    [Fact]
    public async Task Ssh_gives_up_after_wait_seconds_when_the_endpoint_never_comes_up()
    {
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(View(Node(0, "queued", up: false, hostKey, "SHA256:x"))));
        var launcher = new RecordingLauncher();

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "ssh", "42", "--wait", "1");

        Assert.Equal(1, outcome.ExitCode);
        Assert.EndsWith(
            "error: job 42 node 0 has no SSH endpoint after 1 s (queued): try again later, or wait longer with --wait SECONDS\n",
            outcome.Stderr,
            StringComparison.Ordinal);
        Assert.Equal(3, server.Requests.Count);
        Assert.Empty(launcher.Runs);
    }

    [Fact]
    public async Task Ssh_refuses_a_host_key_that_does_not_match_its_fingerprint()
    {
        var key = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_ed25519"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        var node = Node(0, "running", up: true, hostKey, key.Fingerprint);
        node["host_key_fingerprint"] = key.Fingerprint;
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(View(node)));
        var launcher = new RecordingLauncher();

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "ssh", "42");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("not connecting", Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
        Assert.Empty(launcher.Runs);
        Assert.False(File.Exists(KnownHosts));
    }

    [Fact]
    public async Task Ssh_refuses_a_host_that_ssh_would_read_as_an_option()
    {
        var key = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_ed25519"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        var node = Node(0, "running", up: true, hostKey, key.Fingerprint);
        node["host"] = "-oProxyCommand=touch /tmp/pwned";
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(View(node)));
        var launcher = new RecordingLauncher();

        var outcome = await CliRunner.RunAsync(Environment(server), launcher, "ssh", "42");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("an SSH host this porthole will not use", Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
        Assert.Empty(launcher.Runs);
    }

    [Fact]
    public async Task Doctor_shows_a_refused_key_with_its_reason_and_suggests_the_accepted_local_key()
    {
        var refused = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_a"));
        var accepted = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_b"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        var refusal = KeyEvent(refused.Fingerprint, accepted: false, "registered to another user, who has no write access to this project", user: "bob");
        await using var server = new FakeHttpServer((request, response) =>
            response.JsonAsync(View([Node(0, "running", up: true, hostKey, accepted.Fingerprint)], [refusal])));

        var outcome = await CliRunner.RunAsync(Environment(server), "ssh", "doctor", "42");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        var hostFingerprint = hostKey.Fingerprint;
        Assert.Equal(
            $"""
            job 42 attempt 3: SSH rerun requested by ada
            node 0: running
              endpoint:  ssh -p 64537 root@127.0.0.1
              host key:  {hostFingerprint} (ssh-ed25519)
              accepted keys:
                {accepted.Fingerprint}
            keys offered to node 0:
              2025-11-23 04:16:09Z  refused  {refused.Fingerprint}  ED25519  10.0.0.5  registered to another user, who has no write access to this project; key of bob
            your local keys:
              {refused.Fingerprint}  ED25519  ~/.ssh/id_a.pub  not accepted by this job; refused at 2025-11-23 04:16:09Z: registered to another user, who has no write access to this project
              {accepted.Fingerprint}  ED25519  ~/.ssh/id_b.pub  accepted
            conclusion: your key {accepted.Fingerprint} is accepted: ssh -i ~/.ssh/id_b -p 64537 root@127.0.0.1 (or porthole ssh 42, which also pins the host key)

            """,
            outcome.Stdout);
        Assert.Equal("/api/jobs/42/ssh", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task Doctor_says_when_a_local_key_is_registered_to_a_user_without_write_access()
    {
        var mine = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_ed25519"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        var refusal = KeyEvent(mine.Fingerprint, accepted: false, "registered to another user, who has no write access to this project", user: null);
        await using var server = new FakeHttpServer((request, response) =>
            response.JsonAsync(View([Node(0, "running", up: true, hostKey, "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")], [refusal])));

        var outcome = await CliRunner.RunAsync(Environment(server), "ssh", "doctor", "42");

        Assert.Equal(0, outcome.ExitCode);
        Assert.EndsWith(
            $"conclusion: your key ~/.ssh/id_ed25519.pub ({mine.Fingerprint}) is registered to another user, who has no write access to this project: " +
            "only keys of users with write access are accepted; ask a project admin for write access, or add a key of yours (porthole keys add FILE.pub) " +
            "and rerun with SSH (porthole rerun 42 --ssh)\n",
            outcome.Stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_with_no_accepted_local_key_says_to_add_one_and_rerun()
    {
        await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_ed25519"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        await using var server = new FakeHttpServer((request, response) =>
            response.JsonAsync(View(Node(0, "running", up: true, hostKey, "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"))));

        var outcome = await CliRunner.RunAsync(Environment(server), "ssh", "doctor", "42");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("keys offered to node 0: none yet\n", outcome.Stdout, StringComparison.Ordinal);
        Assert.EndsWith(
            "conclusion: none of your local keys is accepted: add one with porthole keys add ~/.ssh/id_ed25519.pub and rerun with SSH (porthole rerun 42 --ssh)\n",
            outcome.Stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_json_prints_the_view_and_the_local_keys_marked_accepted()
    {
        var other = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_a"));
        var accepted = await TestKey.MakeAsync(Path.Combine(Home, ".ssh", "id_b"));
        var hostKey = await TestKey.MakeAsync(Path.Combine(_folder.Path, "host", "key"), "root@runner");
        var view = View(Node(0, "running", up: true, hostKey, accepted.Fingerprint));
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(view));

        var outcome = await CliRunner.RunAsync(Environment(server), "ssh", "doctor", "42", "--json");

        Assert.Equal(0, outcome.ExitCode);
        var json = JsonNode.Parse(outcome.Stdout)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(view), json["ssh"]));
        var keys = json["local_keys"]!.AsArray();
        Assert.Equal([other.Fingerprint, accepted.Fingerprint], keys.Select(k => (string)k!["fingerprint"]!));
        Assert.Equal([false, true], keys.Select(k => (bool)k!["accepted"]!));
        Assert.Equal(accepted.PrivatePath, (string)keys[1]!["private_key_path"]!);
    }

    [Fact]
    public async Task Project_settings_sends_only_the_settings_given()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"name":"web","repository":"https://example.com/web.git","visibility":"private","created_at":"2025-11-23T04:16:09Z","debug_enabled":false,"ssh_write_members":true}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "settings", "web", "--debug-enabled", "false");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal("project web: debug_enabled false, ssh_write_members true, debug_open_access false, retry_lost_nodes false, ssh_port_forwarding false, hold_on_failure off, session_recording true\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/api/projects/web/settings", request.Path);
        Assert.Equal("""{"debug_enabled":false}""", request.Body);
    }

    [Fact]
    public async Task Project_settings_switch_open_debug_access()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"name":"web","repository":"https://example.com/web.git","visibility":"private","created_at":"2025-11-23T04:16:09Z","debug_enabled":true,"debug_open_access":true}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "settings", "web", "--debug-open-access", "true");

        Assert.Equal("project web: debug_enabled true, ssh_write_members false, debug_open_access true, retry_lost_nodes false, ssh_port_forwarding false, hold_on_failure off, session_recording true\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("""{"debug_open_access":true}""", request.Body);
    }

    [Fact]
    public async Task Project_settings_switch_retrying_jobs_whose_runner_was_lost()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"name":"web","repository":"https://example.com/web.git","visibility":"private","created_at":"2025-11-23T04:16:09Z","debug_enabled":true,"retry_lost_nodes":true}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "settings", "web", "--retry-lost-nodes", "true");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal("project web: debug_enabled true, ssh_write_members false, debug_open_access false, retry_lost_nodes true, ssh_port_forwarding false, hold_on_failure off, session_recording true\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/api/projects/web/settings", request.Path);
        Assert.Equal("""{"retry_lost_nodes":true}""", request.Body);
    }

    [Fact]
    public async Task Project_settings_hold_failed_nodes_for_ssh_and_refuse_a_value_that_is_not_off_ssh_or_write()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"name":"web","repository":"https://example.com/web.git","visibility":"private","created_at":"2025-11-23T04:16:09Z","debug_enabled":true,"hold_on_failure":"write"}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "settings", "web", "--hold-on-failure", "write");

        Assert.Equal("", outcome.Stderr);
        Assert.EndsWith(", hold_on_failure write, session_recording true\n", outcome.Stdout, StringComparison.Ordinal);
        var request = Assert.Single(server.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("""{"hold_on_failure":"write"}""", request.Body);

        var refused = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "settings", "web", "--hold-on-failure", "always");
        Assert.Equal(2, refused.ExitCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Project_settings_switch_port_forwarding_to_ssh_nodes()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"name":"web","repository":"https://example.com/web.git","visibility":"private","created_at":"2025-11-23T04:16:09Z","debug_enabled":true,"ssh_port_forwarding":true}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "settings", "web", "--ssh-port-forwarding", "true");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal("project web: debug_enabled true, ssh_write_members false, debug_open_access false, retry_lost_nodes false, ssh_port_forwarding true, hold_on_failure off, session_recording true\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("""{"ssh_port_forwarding":true}""", request.Body);

        var refused = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "settings", "web", "--ssh-port-forwarding", "on");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("Argument 'on' not recognized", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Project_settings_switch_session_recording()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"name":"web","repository":"https://example.com/web.git","visibility":"private","created_at":"2025-11-23T04:16:09Z","debug_enabled":true,"session_recording":false}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "settings", "web", "--session-recording", "false");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal("project web: debug_enabled true, ssh_write_members false, debug_open_access false, retry_lost_nodes false, ssh_port_forwarding false, hold_on_failure off, session_recording false\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("""{"session_recording":false}""", request.Body);

        var refused = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "settings", "web", "--session-recording", "off");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("Argument 'off' not recognized", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Project_settings_refuse_a_retry_lost_nodes_that_is_not_true_or_false()
    {
        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(FakeHttpServer.ClosedUrl(), _folder), "project", "settings", "web", "--retry-lost-nodes", "yes");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("Argument 'yes' not recognized", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal("", outcome.Stdout);
    }

    [Fact]
    public async Task Project_settings_without_options_shows_them()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """{"name":"web","repository":"https://example.com/web.git","visibility":"private","created_at":"2025-11-23T04:16:09Z","debug_enabled":true,"ssh_write_members":false,"debug_open_access":true}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "settings", "web");

        Assert.Equal("project web: debug_enabled true, ssh_write_members false, debug_open_access true, retry_lost_nodes false, ssh_port_forwarding false, hold_on_failure off, session_recording true\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/api/projects/web", request.Path);
    }

    private Dictionary<string, string> Environment(FakeHttpServer server)
    {
        var environment = CliRunner.LoggedIn(server.Url, _folder);
        environment["HOME"] = Home;
        return environment;
    }
}
