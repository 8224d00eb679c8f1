using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>Rerun job with SSH end to end (R-SSH-*): the real server and runner, a real sshd per node, the real ssh, scp and sftp clients.</summary>
public sealed class SshRerunTests : IAsyncLifetime
{
    private const string Config = """
        version: 2
        jobs:
          build:
            parallelism: 3
            environment:
              FROM_JOB: job-value
            steps:
              - checkout
              - run: echo 'export LEFT_BY_STEP=step-value' >> $BASH_ENV; echo artifact > artifact.txt
              - run: echo "failing on purpose"; exit 1
        """;

    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;
    private SshKeyFile _mine = null!;
    private SshClient _ssh = null!;
    private long _jobId;
    private long _pipelineId;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
        _mine = SshKeyFile.Generate(_keys.Path, "mine");
        _ssh = new SshClient(_keys.Path);
        await _server.Client.AddKeyAsync(_mine);
        var pipeline = await _server.TriggerAsync("app");
        _pipelineId = pipeline.Id;
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
    public async Task Each_node_gets_an_endpoint_the_requesters_key_enters_and_others_are_refused_with_their_reason()
    {
        var readerToken = await _server.CreateUserAsync("reader");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/reader", new { role = "read" }), 204);
        var readerKey = SshKeyFile.Generate(_keys.Path, "reader");
        using (var reader = _server.ClientFor(readerToken))
        {
            await reader.AddKeyAsync(readerKey);
        }

        var unregistered = SshKeyFile.Generate(_keys.Path, "unregistered");

        var rerun = await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", new RerunRequest(null, true), ApiJson.Options);
        await Expect.StatusAsync(rerun, 202);
        var view = await WaitForEndpointsAsync(3);

        // Three nodes, three endpoints on three ports, each pinned by the runner's host key.
        Assert.Equal(3, view.Nodes.Select(n => n.Port).Distinct().Count());
        var node = view.Nodes[1];
        Assert.Contains(_mine.Fingerprint, node.AcceptedFingerprints);
        _ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);

        // The node ends when its last session closes (R-SSH-8), so one session stays open while the others come and go.
        using var holder = _ssh.StartInteractive(_mine, node.User!, node.Host!, node.Port.Value, "echo holding; sleep 300");
        Assert.Equal("holding", await holder.StandardOutput.ReadLineAsync());

        var result = await _ssh.SshAsync(_mine, node.User!, node.Host!, node.Port.Value, "pwd; echo \"$CIRCLE_NODE_INDEX $FROM_JOB $LEFT_BY_STEP\"; cat artifact.txt");
        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("/project", lines[0], StringComparison.Ordinal);
        Assert.Equal("1 job-value step-value", lines[1]);
        Assert.Equal("artifact", lines[2]);

        var copy = Path.Combine(_keys.Path, "copied.txt");
        var scp = await _ssh.ScpFromAsync(_mine, node.User!, node.Host!, node.Port.Value, "artifact.txt", copy);
        Assert.True(scp.ExitCode == 0, scp.Error);
        Assert.Equal("artifact\n", await File.ReadAllTextAsync(copy));
        var fetched = Path.Combine(_keys.Path, "fetched.txt");
        var sftp = await _ssh.SftpGetAsync(_mine, node.User!, node.Host!, node.Port.Value, "artifact.txt", fetched);
        Assert.True(sftp.ExitCode == 0, sftp.Error);
        Assert.Equal("artifact\n", await File.ReadAllTextAsync(fetched));

        foreach (var refused in new[] { readerKey, unregistered })
        {
            var denied = await _ssh.SshAsync(refused, node.User!, node.Host!, node.Port.Value, "true");
            Assert.NotEqual(0, denied.ExitCode);
            Assert.Contains("Permission denied", denied.Error, StringComparison.Ordinal);
        }

        var audit = await WaitForAsync(v => v.KeyEvents.Count(e => !e.Accepted) >= 2 && v.Sessions.Count(s => s.EndedAt is not null) >= 3);
        Assert.False(holder.HasExited);
        var reasons = audit.KeyEvents.Where(e => !e.Accepted).ToDictionary(e => e.Fingerprint!, e => e.Reason!);
        Assert.Contains("no write access", reasons[readerKey.Fingerprint], StringComparison.Ordinal);
        Assert.Contains("not registered to any user", reasons[unregistered.Fingerprint], StringComparison.Ordinal);
        Assert.Contains(audit.KeyEvents, e => e.Accepted && e.Fingerprint == _mine.Fingerprint && e.User == "admin");
        var session = audit.Sessions.Single(s => s.Command?.Contains("pwd", StringComparison.Ordinal) == true);
        Assert.Equal("admin", session.User);
        Assert.Equal(_mine.Fingerprint, session.Fingerprint);
        Assert.Equal(1, session.Node);
        Assert.NotNull(session.EndedAt);

        // The Enable SSH section opens the node's log and names the command and the host key.
        var log = await _server.LogAsync(_jobId, node: 1, attempt: 2);
        Assert.StartsWith("\u001b[1m==> Enable SSH", log, StringComparison.Ordinal);
        Assert.Contains($"ssh -p {node.Port} {node.User}@{node.Host}", log, StringComparison.Ordinal);
        Assert.Contains(node.HostKeyFingerprint!, log, StringComparison.Ordinal);

        // Cancel ends every node at once; the SSH attempt never touched the pipeline's or the job's status.
        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/cancel", null), 202);
        var job = await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
        Assert.Equal(Status.Canceled, job.Attempts[^1].Status);
        Assert.True(job.Attempts[^1].Ssh);
        Assert.Equal(Status.Failed, job.Status);
        Assert.Equal(Status.Failed, (await _server.PipelineAsync(_pipelineId)).Status);
        Assert.Single(await _server.Client.GetFromJsonAsyncOrFail<List<PipelineView>>("/api/projects/app/pipelines"));
        using (var closed = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await holder.WaitForExitAsync(closed.Token);
        }

        var afterCancel = await _ssh.SshAsync(_mine, node.User!, node.Host!, node.Port.Value, "true");
        Assert.NotEqual(0, afterCancel.ExitCode);
    }

    [Fact]
    public async Task Removing_the_key_closes_its_open_session_and_refuses_it_after()
    {
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", new RerunRequest(null, true), ApiJson.Options), 202);
        var node = (await WaitForEndpointsAsync(3)).Nodes[0];
        _ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        using var open = _ssh.StartInteractive(_mine, node.User!, node.Host!, node.Port.Value, "echo connected; sleep 300");
        Assert.Equal("connected", await open.StandardOutput.ReadLineAsync());

        var removed = await _server.Client.DeleteAsync($"/api/users/me/keys?fingerprint={Uri.EscapeDataString(_mine.Fingerprint)}");
        await Expect.StatusAsync(removed, 204);
        using (var closed = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await open.WaitForExitAsync(closed.Token);
        }

        var again = await _ssh.SshAsync(_mine, node.User!, node.Host!, node.Port.Value, "true");
        Assert.NotEqual(0, again.ExitCode);
        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/cancel", null), 202);
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
    }

    [Fact]
    public async Task Removing_a_write_member_closes_their_session_when_the_project_lets_write_members_in()
    {
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, true), ApiJson.Options), 200);
        var token = await _server.CreateUserAsync("colleague");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/colleague", new { role = "write" }), 204);
        var theirs = SshKeyFile.Generate(_keys.Path, "colleague");
        using (var colleague = _server.ClientFor(token))
        {
            await colleague.AddKeyAsync(theirs);
        }

        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", new RerunRequest(null, true), ApiJson.Options), 202);
        var node = (await WaitForEndpointsAsync(3)).Nodes[2];
        Assert.Contains(theirs.Fingerprint, node.AcceptedFingerprints);
        _ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        using var open = _ssh.StartInteractive(theirs, node.User!, node.Host!, node.Port.Value, "echo connected; sleep 300");
        Assert.Equal("connected", await open.StandardOutput.ReadLineAsync());

        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/colleague", new { role = "none" }), 204);
        using (var closed = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await open.WaitForExitAsync(closed.Token);
        }

        var audit = await WaitForAsync(v => v.Sessions.Any(s => s.User == "colleague" && s.EndedAt is not null));
        Assert.Contains(audit.Sessions, s => s.User == "colleague" && s.Node == 2);
        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/cancel", null), 202);
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
    }

    [Fact]
    public async Task Asking_for_ssh_says_what_is_missing()
    {
        // No key.
        var token = await _server.CreateUserAsync("writer");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/writer", new { role = "write" }), 204);
        using var writer = _server.ClientFor(token);
        var noKey = await Expect.ProblemAsync(await writer.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", new RerunRequest(null, true), ApiJson.Options), 422, ErrorCodes.NoSshKey);
        Assert.Contains("porthole keys add ~/.ssh/id_ed25519.pub", noKey.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Switched off for the project.
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(false, null), ApiJson.Options), 200);
        await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/rerun", new RerunRequest(null, true), ApiJson.Options), 403, ErrorCodes.DebugDisabled);
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(true, null), ApiJson.Options), 200);

        // A write member may not change settings.
        await Expect.ProblemAsync(await writer.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(false, null), ApiJson.Options), 403, ErrorCodes.Forbidden);

        // A public project is off by default.
        var open = await _server.AddProjectAsync("open", _repository.Path, "public");
        Assert.False(open.DebugEnabled);
    }

    [Fact]
    public async Task The_circleci_endpoint_reruns_with_ssh_and_validates_as_circleci_does()
    {
        var token = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim();
        using var circle = _server.ClientFor(null);
        circle.DefaultRequestHeaders.Add("Circle-Token", token);
        var workflowId = (await _server.JobAsync(_jobId)).WorkflowId;

        var noJobs = await Expect.ProblemAsync(await circle.PostAsJsonAsync($"/api/v2/workflow/{workflowId}/rerun", new { enable_ssh = true }), 400, ErrorCodes.InvalidRequest);
        Assert.Contains("enable_ssh requires jobs", noJobs.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(await circle.PostAsJsonAsync($"/api/v2/workflow/{workflowId}/rerun", new { enable_ssh = true, from_failed = true, jobs = new[] { $"{_jobId}" } }), 400, ErrorCodes.InvalidRequest);
        await Expect.ProblemAsync(await circle.PostAsJsonAsync($"/api/v2/workflow/{workflowId}/rerun", new { enable_ssh = true, jobs = new[] { "999999" } }), 400, ErrorCodes.JobNotFound);
        await Expect.ProblemAsync(await circle.PostAsJsonAsync("/api/v2/workflow/999999/rerun", new { enable_ssh = true, jobs = new[] { $"{_jobId}" } }), 404, ErrorCodes.NotFound);

        var response = await circle.PostAsJsonAsync($"/api/v2/workflow/{workflowId}/rerun", new { enable_ssh = true, jobs = new[] { $"{_jobId}" } });
        await Expect.StatusAsync(response, 202);
        Assert.Equal($"{workflowId}", (await response.Content.ReadFromJsonAsync<CircleRerunResponse>(ApiJson.Options))!.WorkflowId);
        var job = await _server.JobAsync(_jobId);
        Assert.True(job.Attempts[^1].Ssh);
        await WaitForEndpointsAsync(3);
        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/cancel", null), 202);
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
    }

    [Fact]
    public async Task Porthole_ssh_enters_with_the_accepted_local_key_and_doctor_explains_a_refused_one()
    {
        using var home = new TempFolder();
        var dotSsh = Directory.CreateDirectory(Path.Combine(home.Path, ".ssh")).FullName;
        File.Copy(_mine.PrivateKeyPath, Path.Combine(dotSsh, "id_ed25519"));
        File.Copy(_mine.PrivateKeyPath + ".pub", Path.Combine(dotSsh, "id_ed25519.pub"));
        var other = SshKeyFile.Generate(dotSsh, "id_other");
        var token = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim();
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home.Path,
            ["PORTHOLE_CONFIG"] = Path.Combine(home.Path, "config.json"),
            ["PORTHOLE_SERVER"] = _server.Address.ToString(),
            ["PORTHOLE_TOKEN"] = token,
        };
        var launcher = new CapturingLauncher();
        async Task<(int Code, string Out, string Err)> CliAsync(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await Cli.Cli.RunAsync(args, Cli.CliContext.Create(output, error, environment), launcher, CancellationToken.None);
            return (code, output.ToString(), error.ToString());
        }

        var rerun = await CliAsync("rerun", $"{_jobId}", "--ssh");
        Assert.True(rerun.Code == 0, rerun.Err);
        var node = (await WaitForEndpointsAsync(3)).Nodes[0];

        // A refused key first, offered by the real ssh on its own.
        _ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
        Assert.NotEqual(0, (await _ssh.SshAsync(other, node.User!, node.Host!, node.Port.Value, "true")).ExitCode);
        await WaitForAsync(v => v.KeyEvents.Any(e => e.Fingerprint == other.Fingerprint));

        var doctor = await CliAsync("ssh", "doctor", $"{_jobId}", "--node", "0");
        Assert.True(doctor.Code == 0, doctor.Err);
        Assert.Contains(other.Fingerprint, doctor.Out, StringComparison.Ordinal);
        Assert.True(doctor.Out.Contains("not registered to any user", StringComparison.Ordinal), doctor.Out);
        Assert.Contains($"-i {Path.Combine(dotSsh, "id_ed25519")}", doctor.Out.Replace("~/.ssh/", dotSsh + "/", StringComparison.Ordinal), StringComparison.Ordinal);

        // porthole ssh picks the accepted key and pins the host key itself.
        var entered = await CliAsync("ssh", $"{_jobId}", "--node", "0", "--", "echo", "inside-$CIRCLE_NODE_INDEX");
        Assert.True(entered.Code == 0, entered.Err + launcher.Error);
        Assert.Equal("inside-0\n", launcher.Output);

        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/cancel", null), 202);
        await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[^1].Status), seconds: 30);
    }

    private Task<JobSshView> WaitForEndpointsAsync(int nodes) => WaitForAsync(v => v.Nodes.Count == nodes && v.Nodes.All(n => n.Port is not null));

    private async Task<JobSshView> WaitForAsync(Func<JobSshView, bool> until)
    {
        JobSshView? view = null;
        for (var i = 0; i < 600; i++)
        {
            view = await _server.Client.GetFromJsonAsyncOrFail<JobSshView>($"/api/jobs/{_jobId}/ssh");
            if (until(view))
            {
                return view;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"the SSH view never got there: {System.Text.Json.JsonSerializer.Serialize(view, ApiJson.Options)}");
    }
}
