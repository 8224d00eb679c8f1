using System.Diagnostics;
using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>Debug mode end to end (R-DBG-2…6): the real server and runner, sshd, tmux and ssh -tt.</summary>
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
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync("/api/users/me/keys", new AddKeyRequest(_key.PublicLine, null), ApiJson.Options), 201);
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
        var log = await WaitForLogAsync("travis_run_script exited with 0");
        Assert.Contains("Debug build initiated by admin", log, StringComparison.Ordinal);
        Assert.Contains("Setting up debug tools.", log, StringComparison.Ordinal);
        Assert.Contains($"ssh -p {node.Port} {node.User}@{node.Host}", log, StringComparison.Ordinal);
        Assert.Equal(quiet, log.Contains("No session output will be displayed", StringComparison.Ordinal));

        // The steps did not run by themselves: the install phase's output is not in the log.
        Assert.DoesNotContain("install ran", log, StringComparison.Ordinal);
        if (!quiet)
        {
            await WaitForLogAsync("script says from-travis-env");
        }

        // Exiting the last window ends the debug run; the job's status is what it was.
        await terminal.StandardInput.WriteAsync("exit\r");
        await terminal.StandardInput.FlushAsync();
        var job = await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        Assert.Equal(before, job.Status);
        log = await _server.LogAsync(_jobId);
        Assert.Contains("All remaining steps, including caching and deploy, will be skipped.", log, StringComparison.Ordinal);
        Assert.Equal(quiet, !log.Contains("marker-42", StringComparison.Ordinal));
        if (!terminal.HasExited)
        {
            terminal.Kill();
        }

        await terminal.WaitForExitAsync();
    }

    private Process StartTerminal(SshClient ssh, SshNodeView node)
    {
        var start = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-tt", "-p", $"{node.Port}", "-i", _key.PrivateKeyPath,
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

    private async Task<string> WaitForLogAsync(string text)
    {
        var log = "";
        for (var i = 0; i < 400; i++)
        {
            log = await _server.LogAsync(_jobId);
            if (log.Contains(text, StringComparison.Ordinal))
            {
                return log;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"'{text}' never reached the log:\n{log}");
    }
}
