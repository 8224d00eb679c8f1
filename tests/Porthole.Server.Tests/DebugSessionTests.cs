using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>Debug mode end to end (R-DBG-2…7): the real server and runner, sshd, tmux and ssh -tt.</summary>
public sealed class DebugSessionTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;
    private SshKeyFile _key = null!;
    private long _jobId;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".travis.yml", """
            language: shell
            env:
              global:
                - GREETING=from-travis-env
            install:
              - echo "install ran"
            script:
              - echo "script says $GREETING"
              - test -f README.md
            """), ("README.md", "hello\n"));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
        _key = SshKeyFile.Generate(_keys.Path, "mine");
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_job_stops_before_its_first_phase_and_the_phase_functions_run_in_the_shared_session(bool quiet)
    {
        var before = (await _server.JobAsync(_jobId)).Status;
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/debug", new DebugJobRequest(quiet), ApiJson.Options), 202);
        var view = await WaitForEndpointAsync();
        var node = view.Nodes[0];
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);

        using var terminal = StartTerminal(ssh, node);
        await terminal.StandardInput.WriteAsync("travis_run_script; echo marker-$((6*7))\r");
        await terminal.StandardInput.FlushAsync();
        var log = await _server.WaitForLogAsync(_jobId, "travis_run_script exited with 0");
        Assert.Contains("Debug build initiated by admin", log, StringComparison.Ordinal);
        Assert.Contains("Setting up debug tools.", log, StringComparison.Ordinal);
        Assert.Contains($"ssh -p {node.Port} {node.User}@{node.Host}", log, StringComparison.Ordinal);
        Assert.Equal(quiet, log.Contains("No session output will be displayed", StringComparison.Ordinal));

        // The steps did not run by themselves: the install phase's output is not in the log.
        Assert.DoesNotContain("install ran", log, StringComparison.Ordinal);
        if (!quiet)
        {
            await _server.WaitForLogAsync(_jobId, "script says from-travis-env");
        }

        // Exiting the last window ends the debug run; the job's status is what it was.
        await terminal.StandardInput.WriteAsync("exit\r");
        await terminal.StandardInput.FlushAsync();
        var job = await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        Assert.Equal(before, job.Status);
        Assert.Equal("The debug session ended: the last window was exited.", job.Attempts[^1].Nodes[0].Message);
        log = await _server.LogAsync(_jobId);
        Assert.Contains("All remaining steps, including caching and deploy, will be skipped.", log, StringComparison.Ordinal);
        Assert.Equal(quiet, !log.Contains("marker-42", StringComparison.Ordinal));
        if (!terminal.HasExited)
        {
            terminal.Kill();
        }

        await terminal.WaitForExitAsync();
    }

    [Fact]
    public async Task A_read_member_joins_the_debug_session_read_only_and_is_still_refused_by_a_plain_ssh_rerun()
    {
        var readerToken = await _server.CreateUserAsync("reader");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/reader", new { role = "read" }), 204);
        var readerKey = SshKeyFile.Generate(_keys.Path, "reader");
        using (var reader = _server.ClientFor(readerToken))
        {
            await reader.AddKeyAsync(readerKey);
        }

        // A debug run, not quiet: the reader's key is accepted, to watch.
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/debug", new DebugJobRequest(false), ApiJson.Options), 202);
        var view = await WaitForEndpointAsync();
        var node = view.Nodes[0];
        Assert.Contains(readerKey.Fingerprint, node.AcceptedFingerprints);
        Assert.Contains(_key.Fingerprint, node.AcceptedFingerprints);
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);

        using var admin = StartTerminal(ssh, node);
        await _server.WaitForLogAsync(_jobId, $"admin ({_key.Fingerprint}) joined from");
        using var watcher = StartTerminal(ssh, node, readerKey);
        await _server.WaitForLogAsync(_jobId, $"reader ({readerKey.Fingerprint}) joined from 127.0.0.1, read-only");

        // The reader's typing reaches nobody; the admin's, typed after it, runs and is echoed to the log.
        await watcher.StandardInput.WriteAsync("echo from-reader-$((5*5))\r");
        await watcher.StandardInput.FlushAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await admin.StandardInput.WriteAsync("echo from-admin-$((6*7))\r");
        await admin.StandardInput.FlushAsync();
        var log = await _server.WaitForLogAsync(_jobId, "from-admin-42");
        Assert.DoesNotContain("from-reader", log, StringComparison.Ordinal);

        await admin.StandardInput.WriteAsync("exit\r");
        await admin.StandardInput.FlushAsync();
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        log = await _server.LogAsync(_jobId);
        Assert.Contains("from-admin-42", log, StringComparison.Ordinal);
        Assert.DoesNotContain("from-reader", log, StringComparison.Ordinal);
        await EndAsync(admin);
        await EndAsync(watcher);

        // A plain rerun with SSH lets only those who may write in: the reader's key is refused, and why is said.
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", new RerunRequest(null, true), ApiJson.Options), 202);
        var rerun = await _server.WaitForSshViewAsync(_jobId, v => v.Attempt > view.Attempt && v.Nodes is [{ Port: not null }, ..]);
        Assert.False(rerun.Debug);
        var rerunNode = rerun.Nodes[0];
        Assert.DoesNotContain(readerKey.Fingerprint, rerunNode.AcceptedFingerprints);
        ssh.Pin(rerunNode.Host!, rerunNode.Port!.Value, rerunNode.HostKey!);
        var denied = await ssh.SshAsync(readerKey, rerunNode.User!, rerunNode.Host!, rerunNode.Port.Value, "true");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("Permission denied", denied.Error, StringComparison.Ordinal);
        var refused = await _server.WaitForSshViewAsync(_jobId, v => v.Attempt == rerun.Attempt && v.KeyEvents.Any(e => !e.Accepted && e.Fingerprint == readerKey.Fingerprint));
        Assert.Equal(
            "registered to another user, who has no write access to this project",
            refused.KeyEvents.First(e => !e.Accepted && e.Fingerprint == readerKey.Fingerprint).Reason);

        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/cancel", null), 202);
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
    }

    [Fact]
    public async Task With_open_access_any_key_that_sends_the_token_joins_and_the_token_is_in_no_log()
    {
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null, true), ApiJson.Options), 200);
        var readerToken = await _server.CreateUserAsync("reader");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/reader", new { role = "read" }), 204);
        var stranger = SshKeyFile.Generate(_keys.Path, "stranger");

        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/debug", new DebugJobRequest(false), ApiJson.Options), 202);
        var view = await WaitForEndpointAsync();
        var node = view.Nodes[0];
        var open = node.OpenAccessCommand ?? throw new InvalidOperationException("the requester was not given the open command");
        var token = Regex.Match(open, "SetEnv=PORTHOLE_DEBUG_TOKEN=(\\S+)").Groups[1].Value;
        Assert.Equal($"ssh -t -o SetEnv=PORTHOLE_DEBUG_TOKEN={token} -p {node.Port} {node.User}@{node.Host}", open);
        Assert.True(token.Length >= 24, open);
        using (var reader = _server.ClientFor(readerToken))
        {
            // A read member may watch with a key of theirs, but does not get the command that lets anyone in.
            var readerView = (await reader.GetFromJsonAsync<JobSshView>($"/api/jobs/{_jobId}/ssh", ApiJson.Options))!;
            Assert.Null(readerView.Nodes[0].OpenAccessCommand);
        }

        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);

        // A key nobody registered, without the token: sshd takes the key, the attach script refuses the connection.
        var refused = await ssh.SshAsync(stranger, node.User!, node.Host!, node.Port.Value, "true");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("ask whoever started it for that command", refused.Error, StringComparison.Ordinal);

        using var admin = StartTerminal(ssh, node);
        await _server.WaitForLogAsync(_jobId, $"admin ({_key.Fingerprint}) joined from");
        using var guest = StartTerminal(ssh, node, stranger, "-o", $"SetEnv=PORTHOLE_DEBUG_TOKEN={token}");
        await _server.WaitForLogAsync(_jobId, $"+anyone ({stranger.Fingerprint}) joined from 127.0.0.1");
        await guest.StandardInput.WriteAsync("echo from-guest-$((3*3)) \"[${PORTHOLE_DEBUG_TOKEN-unset}]\"\r");
        await guest.StandardInput.FlushAsync();
        var log = await _server.WaitForLogAsync(_jobId, "from-guest-9");
        Assert.Contains("This project lets anyone with the ssh command in (debug_open_access)", log, StringComparison.Ordinal);
        var sessions = await _server.WaitForSshViewAsync(_jobId, v => v.Sessions.Any(s => s.Fingerprint == stranger.Fingerprint));
        Assert.Equal("+anyone", sessions.Sessions.First(s => s.Fingerprint == stranger.Fingerprint).User);

        // Cancel ends every session, the guest's too (the seed's way to disconnect an attacker).
        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/cancel", null), 202);
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        await EndAsync(guest);
        await EndAsync(admin);
        log = await _server.LogAsync(_jobId);
        Assert.Contains("from-guest-9 [unset]", log, StringComparison.Ordinal);
        Assert.DoesNotContain(token, log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("debug_open_access")]
    [InlineData("debug_enabled")]
    public async Task Open_access_switched_off_mid_session_closes_the_guests_session_and_refuses_the_old_token(string setting)
    {
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null, true), ApiJson.Options), 200);
        var stranger = SshKeyFile.Generate(_keys.Path, "stranger");
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/debug", new DebugJobRequest(false), ApiJson.Options), 202);
        var view = await WaitForEndpointAsync();
        var node = view.Nodes[0];
        var open = node.OpenAccessCommand ?? throw new InvalidOperationException("the requester was not given the open command");
        var token = Regex.Match(open, "SetEnv=PORTHOLE_DEBUG_TOKEN=(\\S+)").Groups[1].Value;
        string[] withToken = ["-o", $"SetEnv=PORTHOLE_DEBUG_TOKEN={token}"];
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);

        using var admin = StartTerminal(ssh, node);
        await _server.WaitForLogAsync(_jobId, $"admin ({_key.Fingerprint}) joined from");
        using var guest = StartTerminal(ssh, node, stranger, withToken);
        await _server.WaitForLogAsync(_jobId, $"+anyone ({stranger.Fingerprint}) joined from 127.0.0.1");

        // Switched off: within a heartbeat or two (200 ms here) the guest is disconnected, as a revoked key's session is.
        var off = setting == "debug_open_access" ? new ProjectSettingsRequest(null, null, false) : new ProjectSettingsRequest(false, null, null);
        var switchedOff = Stopwatch.StartNew();
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/settings", off, ApiJson.Options), 200);
        await guest.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(switchedOff.Elapsed < TimeSpan.FromSeconds(2), $"the guest was disconnected {switchedOff.Elapsed} after open access was switched off");
        var ended = await _server.WaitForSshViewAsync(_jobId, v => v.Sessions.Any(s => s.User == "+anyone" && s.EndedAt is not null));
        Assert.Null(ended.Nodes[0].OpenAccessCommand);

        // The old token lets nobody in any more.
        var refused = await ssh.SshWithAsync(stranger, node.User!, node.Host!, node.Port.Value, withToken, "echo", "guest-got-in");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.DoesNotContain("guest-got-in", refused.Output, StringComparison.Ordinal);
        if (setting == "debug_enabled")
        {
            // debug_enabled off revokes every key: the admin's session is closed too, and the admin's key refused (sshd
            // still takes any key, the way open access made it, and the node closes it at once).
            await admin.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            var adminRefused = await ssh.SshAsync(_key, node.User!, node.Host!, node.Port.Value, "echo", "admin-got-in");
            Assert.NotEqual(0, adminRefused.ExitCode);
            Assert.DoesNotContain("admin-got-in", adminRefused.Output, StringComparison.Ordinal);
        }
        else
        {
            // Only open access ended: the admin's key still types. Switched on again, the run's token stays refused.
            Assert.False(admin.HasExited);
            await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null, true), ApiJson.Options), 200);
            await Task.Delay(TimeSpan.FromMilliseconds(600));
            Assert.Null((await _server.WaitForSshViewAsync(_jobId, _ => true)).Nodes[0].OpenAccessCommand);
            var stillRefused = await ssh.SshWithAsync(stranger, node.User!, node.Host!, node.Port.Value, withToken, "echo", "guest-got-in");
            Assert.NotEqual(0, stillRefused.ExitCode);
            Assert.DoesNotContain("guest-got-in", stillRefused.Output, StringComparison.Ordinal);
            Assert.False(admin.HasExited);
        }

        var sessions = await _server.WaitForSshViewAsync(_jobId, _ => true);
        Assert.Single(sessions.Sessions, s => s.User == "+anyone");
        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/cancel", null), 202);
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        await EndAsync(admin);
    }

    private static async Task EndAsync(Process terminal)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await terminal.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            terminal.Kill();
            await terminal.WaitForExitAsync();
        }
    }

    private Process StartTerminal(SshClient ssh, SshNodeView node, SshKeyFile? key = null, params string[] options)
    {
        var start = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[.. options, "-tt", "-p", $"{node.Port}", "-i", (key ?? _key).PrivateKeyPath,
                     "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={ssh.KnownHosts}",
                     $"{node.User}@{node.Host}"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private async Task<JobSshView> WaitForEndpointAsync()
    {
        for (var i = 0; i < 600; i++)
        {
            var response = await _server.Client.GetAsync($"/api/jobs/{_jobId}/ssh");
            if (response.IsSuccessStatusCode)
            {
                var view = (await response.Content.ReadFromJsonAsync<JobSshView>(ApiJson.Options))!;
                if (view.Debug && view.Nodes is [{ Port: not null }, ..])
                {
                    return view;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the debug endpoint never came up");
    }

}
