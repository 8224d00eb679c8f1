using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Contracts.Ssh;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.SessionRecordings;

/// <summary>
/// A session recorded from end to end (R-BEY-2): the real server and built-in runner, a real sshd and <c>ssh -tt</c>
/// client, util-linux <c>script</c> on the node. The rerun's interactive session is listed on the job once it closed, with
/// who opened it; its file is asciicast v2 with what was typed and shown and the project's secret masked; the log says
/// the node records and how many it kept; a project that turned recording off gets none.
/// </summary>
public sealed class RecordedSessionTests : IAsyncLifetime
{
    private const string Secret = "Sup3rS3cretValue42";

    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;
    private SshKeyFile _mine = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", "version: 2\njobs:\n  build:\n    steps:\n      - run: echo built\n"));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/env/SECRET", new SetVariableRequest(Secret, true), ApiJson.Options), 200);
        _mine = SshKeyFile.Generate(_keys.Path, "mine");
        await _server.Client.AddKeyAsync(_mine);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _keys.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_reruns_interactive_session_is_listed_with_who_and_downloads_masked_and_none_once_the_project_turns_it_off()
    {
        var pipeline = await _server.TriggerAsync("app");
        var jobId = pipeline.Workflows[0].Jobs[0].Id;
        await _server.WaitForJobAsync(jobId, j => j.Status == Status.Success);

        await SessionAsync(jobId, attempt: 2);
        var log = await _server.LogAsync(jobId, attempt: 2);
        Assert.Contains("Interactive sessions on this node are recorded", log, StringComparison.Ordinal);
        Assert.Contains("1 session recording is kept with the job (on its page).", log, StringComparison.Ordinal);

        var list = await _server.Client.GetFromJsonAsync<SessionRecordingList>($"/api/jobs/{jobId}/recordings", ApiJson.Options);
        var recording = Assert.Single(list!.Items);
        Assert.Equal("admin", recording.UserName);
        Assert.Equal(_mine.Fingerprint, recording.Fingerprint);
        Assert.Equal(SshVia.Ssh, recording.Via);
        Assert.Equal(0, recording.NodeIndex);
        Assert.False(recording.Truncated);

        using var download = await _server.Client.GetAsync(recording.Url);
        await Expect.StatusAsync(download, 200);
        Assert.Equal("application/x-asciicast", download.Content.Headers.ContentType?.MediaType);
        var cast = await download.Content.ReadAsStringAsync();
        Assert.StartsWith("{\"version\":2,", cast, StringComparison.Ordinal);
        Assert.Contains("typed-42", cast, StringComparison.Ordinal);
        Assert.Contains("echo typed-$((6 * 7))", cast, StringComparison.Ordinal);
        Assert.Contains("shown:********", cast, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, cast, StringComparison.Ordinal);
        Assert.Equal(recording.Size, System.Text.Encoding.UTF8.GetByteCount(cast));

        // Off: the next node is not recorded, and says nothing about recordings.
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new { session_recording = false }, ApiJson.Options), 200);
        await SessionAsync(jobId, attempt: 3);
        Assert.DoesNotContain("recorded", await _server.LogAsync(jobId, attempt: 3), StringComparison.Ordinal);
        var none = await _server.Client.GetFromJsonAsync<SessionRecordingList>($"/api/jobs/{jobId}/recordings?attempt=3", ApiJson.Options);
        Assert.Empty(none!.Items);
    }

    [Fact]
    public async Task A_debug_sessions_writer_is_listed_and_downloads_masked_also_when_the_job_is_canceled_under_it()
    {
        var pipeline = await _server.TriggerAsync("app");
        var jobId = pipeline.Workflows[0].Jobs[0].Id;
        await _server.WaitForJobAsync(jobId, j => j.Status == Status.Success);
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{jobId}/debug", new DebugJobRequest(false), ApiJson.Options), 202);
        var view = await _server.WaitForSshViewAsync(jobId, v => v.Attempt == 2 && v.Nodes is [{ Port: not null }]);
        var node = view.Nodes[0];
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        using (var terminal = InteractiveSsh.Start(ssh, node, _mine))
        {
            await terminal.TypeAsync("echo debugged-$((6 * 7)) shown:$SECRET\r");
            await terminal.WaitForAsync("debugged-42");

            // The job is canceled while the writer is still in the session: its recording is kept all the same.
            await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{jobId}/cancel", null), 202);
            await terminal.WaitForExitAsync();
        }

        await _server.WaitForJobAsync(jobId, j => j.Attempts.Count == 2 && Status.IsFinished(j.Attempts[^1].Status));
        var log = await _server.LogAsync(jobId, attempt: 2);
        Assert.Contains("The debug session is recorded", log, StringComparison.Ordinal);

        // A canceled section's log is closed: the recording is on the job, not counted in the log.
        var list = await _server.Client.GetFromJsonAsync<SessionRecordingList>($"/api/jobs/{jobId}/recordings?attempt=2", ApiJson.Options);
        var recording = Assert.Single(list!.Items);
        Assert.Equal(("admin", _mine.Fingerprint, SshVia.Ssh), (recording.UserName, recording.Fingerprint, recording.Via));
        using var download = await _server.Client.GetAsync(recording.Url);
        await Expect.StatusAsync(download, 200);
        var cast = await download.Content.ReadAsStringAsync();
        Assert.Contains("debugged-42 shown:********", cast, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, cast, StringComparison.Ordinal);
    }

    /// <summary>Reruns the job with SSH, types into one interactive session, exits; the node then ends (no grace in tests).</summary>
    private async Task SessionAsync(long jobId, int attempt)
    {
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{jobId}/rerun", new RerunRequest(null, true), ApiJson.Options), 202);
        var view = await _server.WaitForSshViewAsync(jobId, v => v.Attempt == attempt && v.Nodes is [{ Port: not null }]);
        var node = view.Nodes[0];
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        using var terminal = InteractiveSsh.Start(ssh, node, _mine);
        await terminal.TypeAsync("echo typed-$((6 * 7)); echo shown:$SECRET\r");
        await terminal.WaitForAsync("typed-42");
        await terminal.WaitForAsync("shown:");
        await terminal.TypeAsync("exit\r");
        await terminal.WaitForExitAsync();
        await _server.WaitForJobAsync(jobId, j => j.Attempts.Count == attempt && Status.IsFinished(j.Attempts[^1].Status));
    }
}
