using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Execution.Processes;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// The job page's terminal (R-WEB-2) end to end: a real WebSocket, the real server and runner, sshd, tmux, and the real
/// ssh client the server runs on a pty; and an admin ending one session (R-DBG-7).
/// </summary>
public sealed class WebTerminalTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;
    private SshKeyFile _key = null!;
    private SshClient _ssh = null!;
    private string _adminToken = null!;
    private long _jobId;

    private string KeyRoot => Path.Combine(_data.Path, "web-terminal");

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".travis.yml", """
            language: shell
            script:
              - echo "script ran"
            """));
        _server = await RunningServer.StartAsync(_data.Path);
        _adminToken = (await File.ReadAllTextAsync(Path.Combine(_data.Path, "admin-token"))).Trim();
        await _server.AddProjectAsync("app", _repository.Path);
        _key = SshKeyFile.Generate(_keys.Path, "mine");
        _ssh = new SshClient(_keys.Path);
        await _server.Client.AddKeyAsync(_key);
        var pipeline = await _server.TriggerAsync("app");
        _jobId = pipeline.Workflows[0].Jobs[0].Id;
        await _server.WaitForPipelineAsync(pipeline.Id);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _keys.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task In_a_debug_run_the_web_terminal_types_into_the_shared_session_and_a_read_member_only_watches()
    {
        // The reader has no SSH key of their own: the web terminal does not need one.
        var readerToken = await AddMemberAsync("reader", "read");
        var node = await StartDebugRunAsync();
        using var terminal = InteractiveSsh.Start(_ssh, node, _key);
        await terminal.WaitForAsync("[debug]");

        await using var web = await WebTerminalClient.ConnectAsync(_server.Address, _adminToken, _jobId);
        await web.WaitForAsync("[debug]");
        await web.TypeAsync("echo from-web-$((6*7))\r");

        // The real ssh client in the same session sees it, and so does the job's log (not quiet).
        await terminal.WaitForAsync("from-web-42");
        await web.WaitForAsync("from-web-42");
        await _server.WaitForLogAsync(_jobId, "from-web-42");
        var view = await _server.WaitForSshViewAsync(_jobId, v => v.Sessions.Any(s => s.Via == "web"));
        var session = view.Sessions.Single(s => s.Via == "web");
        Assert.Equal(("admin", false, null), (session.User, session.ReadOnly, session.EndedAt));
        Assert.Contains(view.Sessions, s => s.Via == "ssh" && s.Fingerprint == _key.Fingerprint);
        Assert.DoesNotContain(view.KeyEvents, e => !e.Accepted);

        // The read member's web terminal watches: it sees what the others do, its typing reaches nobody.
        await using var watcher = await WebTerminalClient.ConnectAsync(_server.Address, readerToken, _jobId);
        await watcher.WaitForAsync("[debug]");
        var watching = await _server.WaitForSshViewAsync(_jobId, v => v.Sessions.Any(s => s.User == "reader"));
        Assert.Equal(("web", true, "watch"), (watching.Sessions.Single(s => s.User == "reader").Via, watching.Sessions.Single(s => s.User == "reader").ReadOnly, watching.Sessions.Single(s => s.User == "reader").Command));
        await watcher.TypeAsync("echo from-reader-$((5*5))\r");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await terminal.TypeAsync("echo from-admin-$((7*7))\r");
        await watcher.WaitForAsync("from-admin-49");
        var log = await _server.WaitForLogAsync(_jobId, "from-admin-49");
        Assert.DoesNotContain("from-reader-25", log, StringComparison.Ordinal);
        Assert.DoesNotContain("from-reader-25", terminal.Output, StringComparison.Ordinal);

        // Exiting the last window ends the debug run: both web terminals are closed, saying so.
        await terminal.TypeAsync("exit\r");
        await web.WaitForCloseAsync();
        await watcher.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, web.CloseStatus);
        Assert.StartsWith("The session ended", web.CloseReason, StringComparison.Ordinal);
        Assert.StartsWith("The session ended", watcher.CloseReason, StringComparison.Ordinal);
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        await WaitForEmptyKeyRootAsync();
        log = await _server.LogAsync(_jobId);
        Assert.DoesNotContain("from-reader-25", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_who_may_not_enter_and_other_sites_are_refused_before_the_upgrade_with_problem_details()
    {
        var readerToken = await AddMemberAsync("reader", "read");
        var strangerToken = await _server.CreateUserAsync("stranger");
        using var reader = _server.ClientFor(readerToken);
        using var stranger = _server.ClientFor(strangerToken);
        var path = $"/web/jobs/{_jobId}/terminal?node=0";

        await Expect.ProblemAsync(await _server.Client.GetAsync(path), 404, ErrorCodes.NotSshAttempt);

        // A rerun with SSH, not a debug run: only the requester (the admin) may enter.
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", new RerunRequest(null, true), ApiJson.Options), 202);
        await WaitForEndpointAsync(debug: false);

        var refused = await Expect.ProblemAsync(await reader.GetAsync(path), 403, ErrorCodes.SshNotAllowed);
        Assert.Equal("Only admin, who asked for this SSH rerun, may enter its nodes: project app does not let its other members in.", refused.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, await WebTerminalClient.RefusedAsync(_server.Address, readerToken, _jobId));
        await Expect.ProblemAsync(await stranger.GetAsync(path), 404, ErrorCodes.JobNotFound);
        Assert.Equal(HttpStatusCode.NotFound, await WebTerminalClient.RefusedAsync(_server.Address, strangerToken, _jobId));
        Assert.Equal(HttpStatusCode.Unauthorized, await WebTerminalClient.RefusedAsync(_server.Address, null, _jobId));
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/web/jobs/{_jobId}/terminal?node=7"), 404, ErrorCodes.NodeNotFound);
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/web/jobs/{_jobId}/terminal?node=x"), 400, ErrorCodes.InvalidRequest);
        await Expect.ProblemAsync(await _server.Client.GetAsync(path), 400, ErrorCodes.WebSocketRequired);

        // Another site's page may not open a terminal with the user's credentials; this server's own page may.
        using (var request = new HttpRequestMessage(HttpMethod.Get, path))
        {
            request.Headers.Add("Origin", "http://evil.example");
            await Expect.ProblemAsync(await _server.Client.SendAsync(request), 403, ErrorCodes.OriginRefused);
        }

        Assert.Equal(HttpStatusCode.Forbidden, await WebTerminalClient.RefusedAsync(_server.Address, _adminToken, _jobId, origin: "http://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, await WebTerminalClient.RefusedAsync(_server.Address, _adminToken, _jobId, origin: $"https://{_server.Address.Authority}"));
        await using (var web = await WebTerminalClient.ConnectAsync(_server.Address, _adminToken, _jobId, origin: $"http://{_server.Address.Authority}"))
        {
            // The rerun's node gives a login shell in the job's directory.
            await web.ResizeAsync(100, 30);
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            await web.TypeAsync("echo from-rerun-$((2*3)) $(tput cols)\r");
            await web.WaitForAsync("from-rerun-6 100");
            await web.CloseAsync();
        }

        // The web terminal's was the node's only session: Wait for SSH ends the node when it closes, as for ssh (R-SSH-8).
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        await Expect.ProblemAsync(await _server.Client.GetAsync(path), 409, ErrorCodes.SshEndpointUnavailable);
        await WaitForEmptyKeyRootAsync();
    }

    [Fact]
    public async Task An_admin_ends_one_session_and_only_that_client_is_disconnected()
    {
        var writerToken = await AddMemberAsync("writer", "write");
        var second = SshKeyFile.Generate(_keys.Path, "second");
        await _server.Client.AddKeyAsync(second);
        var node = await StartDebugRunAsync();
        using var staying = InteractiveSsh.Start(_ssh, node, _key);
        using var ending = InteractiveSsh.Start(_ssh, node, second);
        await staying.WaitForAsync("[debug]");
        await ending.WaitForAsync("[debug]");
        await using var web = await WebTerminalClient.ConnectAsync(_server.Address, _adminToken, _jobId);
        await web.WaitForAsync("[debug]");
        var view = await _server.WaitForSshViewAsync(_jobId, v => v.Sessions.Count(s => s.EndedAt is null) == 3);
        var target = view.Sessions.Single(s => s.Fingerprint == second.Fingerprint);
        var endPath = $"/api/jobs/{_jobId}/ssh/sessions/{target.Id}/end";

        // Only an admin of the project ends a session; the ids are checked.
        using (var writer = _server.ClientFor(writerToken))
        {
            await Expect.ProblemAsync(await writer.PostAsync(endPath, null), 403, ErrorCodes.Forbidden);
        }

        await Expect.ProblemAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/ssh/sessions/999999/end", null), 404, ErrorCodes.SshSessionNotFound);
        await Expect.ProblemAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/ssh/sessions/first/end", null), 400, ErrorCodes.InvalidRequest);

        var answer = await _server.Client.PostAsync(endPath, null);
        await Expect.StatusAsync(answer, 202);
        Assert.Equal("admin", (await answer.Content.ReadFromJsonAsync<SshSessionView>(ApiJson.Options))!.EndedBy);
        Assert.Equal(255, await ending.WaitForExitAsync());
        var ended = await _server.WaitForSshViewAsync(_jobId, v => v.Sessions.Single(s => s.Id == target.Id).EndedAt is not null);
        Assert.Equal("admin", ended.Sessions.Single(s => s.Id == target.Id).EndedBy);
        await Expect.ProblemAsync(await _server.Client.PostAsync(endPath, null), 409, ErrorCodes.SshSessionEnded);

        // The others stay; ending the web terminal's session closes its WebSocket, saying why.
        await staying.TypeAsync("echo still-here-$((4*4))\r");
        await staying.WaitForAsync("still-here-16");
        Assert.False(staying.HasExited);
        var webSession = ended.Sessions.Single(s => s.Via == "web");
        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/ssh/sessions/{webSession.Id}/end", null), 202);
        await web.WaitForCloseAsync();
        Assert.Equal("The session ended (ssh exited with 255).", web.CloseReason);
        Assert.False(staying.HasExited);
        await _server.WaitForSshViewAsync(_jobId, v => v.Sessions.Single(s => s.Id == webSession.Id).EndedAt is not null);

        await staying.TypeAsync("exit\r");
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
    }

    [Fact]
    public async Task Closing_the_web_socket_ends_the_ssh_client_and_leaves_no_key_behind()
    {
        var node = await StartDebugRunAsync();
        using var terminal = InteractiveSsh.Start(_ssh, node, _key);
        await terminal.WaitForAsync("[debug]");
        var web = await WebTerminalClient.ConnectAsync(_server.Address, _adminToken, _jobId);
        await web.WaitForAsync("[debug]");

        // While it is open: the terminal's key pair in a private folder, and the server's ssh client using it.
        var folder = Assert.Single(Directory.GetDirectories(KeyRoot));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(KeyRoot));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        foreach (var file in Directory.GetFiles(folder))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var client = Assert.Single(ProcessesUsing(folder));
        Assert.Equal("ssh", Path.GetFileName(CommandLine(client)[0]));

        await web.CloseAsync();
        await web.DisposeAsync();

        await WaitUntilAsync(() => !ProcFs.IsAlive(client), "the server's ssh client to end");
        await WaitForEmptyKeyRootAsync();
        var view = await _server.WaitForSshViewAsync(_jobId, v => v.Sessions.Single(s => s.Via == "web").EndedAt is not null);
        Assert.Null(view.Sessions.Single(s => s.Via == "ssh").EndedAt);
        Assert.False(terminal.HasExited);

        await terminal.TypeAsync("exit\r");
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
    }

    private async Task<string> AddMemberAsync(string name, string role)
    {
        var token = await _server.CreateUserAsync(name);
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync($"/api/projects/app/members/{name}", new { role }), 204);
        return token;
    }

    private async Task<SshNodeView> StartDebugRunAsync()
    {
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/debug", new DebugJobRequest(false), ApiJson.Options), 202);
        return await WaitForEndpointAsync(debug: true);
    }

    private async Task<SshNodeView> WaitForEndpointAsync(bool debug)
    {
        var view = await _server.WaitForSshViewAsync(_jobId, v => v.Debug == debug && v.Nodes is [{ Port: not null }, ..]);
        var node = view.Nodes[0];
        _ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        return node;
    }

    private async Task WaitForEmptyKeyRootAsync() =>
        await WaitUntilAsync(() => !Directory.Exists(KeyRoot) || Directory.GetFileSystemEntries(KeyRoot).Length == 0, "the terminals' keys to be deleted");

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(15);
        while (!condition())
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"waited for {what}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The processes whose command line names a path in <paramref name="folder"/> (read from /proc, to look only).</summary>
    private static List<int> ProcessesUsing(string folder)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var pid) && CommandLine(pid).Any(a => a.StartsWith(folder, StringComparison.Ordinal) || a.Contains("=" + folder, StringComparison.Ordinal)))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    private static string[] CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
