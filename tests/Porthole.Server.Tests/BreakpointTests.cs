using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Contracts.Ssh;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// Breakpoints (R-BEY-4, issue 15) end to end: a rerun with SSH that runs the steps up to a named step, or to the first
/// failure, then stops there in the shared debug session; the step functions print what they run; porthole-continue
/// ends the session and runs the steps left unattended, and the attempt ends with the steps' status; a writer extends
/// or releases the session through the API. The real server, runner, sshd, tmux and ssh client.
/// </summary>
public sealed class BreakpointTests : IAsyncLifetime
{
    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - run:
                  name: one
                  command: echo one > one.txt
              - run:
                  name: two
                  command: echo two > two.txt
              - run:
                  name: three
                  command: |
                    test -e fixed.txt || { echo three-failed; exit 4; }
                    echo three-ok
              - run:
                  name: four
                  command: echo four-ran
        """;

    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;
    private SshKeyFile _mine = null!;
    private long _jobId;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
        _mine = SshKeyFile.Generate(_keys.Path, "mine");
        await _server.Client.AddKeyAsync(_mine);
        var pipeline = await _server.TriggerAsync("app");
        _jobId = pipeline.Workflows[0].Jobs[0].Id;
        Assert.Equal(Status.Failed, (await _server.WaitForPipelineAsync(pipeline.Id)).Status);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _keys.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Before_a_named_step_the_steps_before_it_ran_and_porthole_continue_runs_the_rest_to_success()
    {
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", new RerunRequest(null, true) { BreakBefore = "two" }, ApiJson.Options), 202);
        using var terminal = await EnterAsync();
        await _server.WaitForLogAsync(_jobId, "Stopped before step 1 (two) (a breakpoint)");

        // Step one ran, two did not: the session is where the run stopped.
        await terminal.TypeAsync("ls *.txt; echo listed-$((6 * 7))\r");
        var listed = await terminal.WaitForAsync("listed-42");
        Assert.Contains("one.txt", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("two.txt", listed, StringComparison.Ordinal);

        // A writer extends the debug session's time limit through the API: the node takes it at its next heartbeat.
        var limited = await _server.WaitForSshViewAsync(_jobId, v => v.Nodes[0].EndsBy == SshWindowEnd.SessionCap);
        var before = limited.Nodes[0].EndsAt!.Value;
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/nodes/0/extend", new { duration = "30m" }), 202);
        var extended = await _server.WaitForSshViewAsync(_jobId, v => v.Nodes[0].EndsAt > before);
        Assert.Equal(before + TimeSpan.FromMinutes(30), extended.Nodes[0].EndsAt!.Value, TimeSpan.FromSeconds(1));

        // Fix what step three needs, then let the rest run unattended: the attempt ends as a normal run would, passed.
        await terminal.TypeAsync("touch fixed.txt; porthole-continue\r");
        await terminal.WaitForAsync("the steps left run unattended now");
        var job = await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 60);
        var attempt = job.Attempts[^1];
        Assert.Equal(Status.Success, attempt.Status);
        var steps = attempt.Nodes[0].Steps;
        Assert.Equal(Status.Success, steps.Single(s => s.Name == "one").Status);
        Assert.Equal(Status.Success, steps.Single(s => s.Name == "three").Status);
        Assert.Equal(Status.Success, steps.Single(s => s.Name == "four").Status);
        var log = await _server.LogAsync(_jobId, attempt: attempt.Number);
        Assert.Contains("Stopped before step 1 (two) (a breakpoint)", log, StringComparison.Ordinal);
        Assert.Contains("three-ok", log, StringComparison.Ordinal);
        Assert.Contains("four-ran", log, StringComparison.Ordinal);
        Assert.True(log.IndexOf("porthole-continue:", StringComparison.Ordinal) < log.IndexOf("four-ran", StringComparison.Ordinal), log);

        // The job's own status is the first attempt's: an SSH attempt changes none (R-SSH-12).
        Assert.Equal(Status.Failed, job.Status);
    }

    [Fact]
    public async Task At_the_first_failure_the_step_functions_print_what_they_run_and_leaving_the_session_skips_the_rest()
    {
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", new RerunRequest(null, true) { BreakOnFailure = true }, ApiJson.Options), 202);
        using var terminal = await EnterAsync();
        await _server.WaitForLogAsync(_jobId, "Stopped after step 2 (three) failed (a breakpoint)");

        // The failed step again, by hand: its function prints its script before it runs it.
        await terminal.TypeAsync("porthole_run_step 2; echo \"again=$?\"\r");
        var again = await terminal.WaitForAsync("again=4");
        Assert.Contains("+ test -e fixed.txt || { echo three-failed; exit 4; }", again, StringComparison.Ordinal);
        Assert.Contains("three-failed", again, StringComparison.Ordinal);

        // Leaving the last window ends the session; the steps left are skipped and the attempt keeps the failure.
        await terminal.TypeAsync("exit\r");
        var job = await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 60);
        var attempt = job.Attempts[^1];
        Assert.Equal(Status.Failed, attempt.Status);
        Assert.Equal("skipped", attempt.Nodes[0].Steps.Single(s => s.Name == "four").Status);
        var log = await _server.LogAsync(_jobId, attempt: attempt.Number);
        Assert.Contains("three-failed", log, StringComparison.Ordinal);
        Assert.DoesNotContain("four-ran", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_release_through_the_API_ends_the_debug_session_and_the_steps_left_are_skipped()
    {
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", new RerunRequest(null, true) { BreakBefore = "two" }, ApiJson.Options), 202);
        await _server.WaitForSshViewAsync(_jobId, v => v.Debug && v.Nodes is [{ EndsAt: not null }, ..]);

        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/nodes/0/release", null), 202);
        var job = await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 60);
        var attempt = job.Attempts[^1];
        Assert.Equal("skipped", attempt.Nodes[0].Steps.Single(s => s.Name == "two").Status);
        Assert.Contains("Released by a writer, through Porthole's API; the node ends.", await _server.LogAsync(_jobId, attempt: attempt.Number), StringComparison.Ordinal);
        await Expect.ProblemAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/nodes/0/release", null), 409, ErrorCodes.SshEndpointUnavailable);
    }

    private async Task<InteractiveSsh> EnterAsync()
    {
        var view = await _server.WaitForSshViewAsync(_jobId, v => v.Debug && v.Nodes is [{ Port: not null }, ..]);
        var node = view.Nodes[0];
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        var terminal = InteractiveSsh.Start(ssh, node, _mine);
        await terminal.WaitForAsync("porthole-debug:");
        return terminal;
    }
}
