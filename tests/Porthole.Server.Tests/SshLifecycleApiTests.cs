using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Contracts.Ssh;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// A node's SSH lifecycle from outside (R-BEY-4, issue 15): the grace after the last session (so <c>ssh … -- cmd</c>
/// then <c>scp</c> works), <c>POST /api/jobs/{id}/nodes/{n}/extend|release</c> and <c>porthole ssh extend|release</c>,
/// with their bad input; the real server, runner, sshd and ssh/scp clients.
/// </summary>
public sealed class SshLifecycleApiTests : IAsyncLifetime
{
    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - run: echo kept > kept.txt; exit 1
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
        _server = await RunningServer.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Porthole:SshGracePeriod"] = "00:00:20",
            ["Porthole:SshMaxSessionTime"] = "01:00:00",
            ["Porthole:SshExtendCap"] = "02:00:00",
        });
        await _server.AddProjectAsync("app", _repository.Path);
        _mine = SshKeyFile.Generate(_keys.Path, "mine");
        await _server.Client.AddKeyAsync(_mine);
        var response = await _server.Client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null) { HoldOnFailure = true }, ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        _jobId = (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!.Workflows[0].Jobs[0].Id;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _keys.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_command_then_scp_within_the_grace_an_extension_to_the_cap_and_a_release_that_ends_the_node()
    {
        var node = (await _server.WaitForSshViewAsync(_jobId, v => v.Nodes is [{ Port: not null, EndsAt: not null }])).Nodes[0];
        Assert.Equal(SshWindowEnd.FirstConnection, node.EndsBy);
        var ssh = new SshClient(_keys.Path);
        ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);

        // ssh … -- cmd closes the only session; the node waits the grace, so scp after it still finds the node.
        var command = await ssh.SshAsync(_mine, node.User!, node.Host!, node.Port.Value, "echo from-the-command >> kept.txt");
        Assert.True(command.ExitCode == 0, command.Error);
        var grace = await _server.WaitForSshViewAsync(_jobId, v => v.Nodes[0].EndsBy == SshWindowEnd.Grace);
        Assert.InRange(grace.Nodes[0].EndsAt!.Value - grace.Sessions[^1].EndedAt!.Value, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(25));
        var copy = Path.Combine(_keys.Path, "kept.txt");
        var scp = await ssh.ScpFromAsync(_mine, node.User!, node.Host!, node.Port.Value, "kept.txt", copy);
        Assert.True(scp.ExitCode == 0, scp.Error);
        Assert.Equal("kept\nfrom-the-command\n", await File.ReadAllTextAsync(copy));

        // Extend: a malformed duration and one past the cap are refused, saying why; a good one moves the end.
        await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/nodes/0/extend", new { duration = "soon" }), 400, ErrorCodes.InvalidRequest);
        var past = await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/nodes/0/extend", new { duration = "3h" });
        await Expect.StatusAsync(past, 409);
        // In the words porthole-extend uses on the node (CircleCI's durations), whichever way the request came.
        Assert.Contains("3h0m0s is past this node's cap of", await past.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/nodes/7/extend", new { duration = "30m" }), 404, ErrorCodes.NodeNotFound);
        await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{_jobId}/nodes/x/extend", new { duration = "30m" }), 400, ErrorCodes.InvalidRequest);

        using var holder = ssh.StartInteractive(_mine, node.User!, node.Host!, node.Port.Value, "echo holding; sleep 300");
        Assert.Equal("holding", await holder.StandardOutput.ReadLineAsync());
        var capped = await _server.WaitForSshViewAsync(_jobId, v => v.Nodes[0].EndsBy == SshWindowEnd.SessionCap);
        var before = capped.Nodes[0].EndsAt!.Value;
        var (code, output, error) = await CliAsync("ssh", "extend", $"{_jobId}", "45m");
        Assert.True(code == 0, error);
        Assert.Contains("asked to stay 45m longer", output, StringComparison.Ordinal);
        var extended = await _server.WaitForSshViewAsync(_jobId, v => v.Nodes[0].EndsAt > before);
        Assert.Equal(before + TimeSpan.FromMinutes(45), extended.Nodes[0].EndsAt!.Value, TimeSpan.FromSeconds(1));
        Assert.NotEqual(0, (await CliAsync("ssh", "extend", $"{_jobId}", "forever")).Code);

        // A reader may not; a release by a writer ends the node and its session at once; the job stays failed.
        var readerToken = await _server.CreateUserAsync("reader");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/reader", new { role = "read" }), 204);
        using (var reader = _server.ClientFor(readerToken))
        {
            await Expect.StatusAsync(await reader.PostAsync($"/api/jobs/{_jobId}/nodes/0/release", null), 403);
        }

        (code, _, error) = await CliAsync("ssh", "release", $"{_jobId}");
        Assert.True(code == 0, error);
        var job = await _server.WaitForJobAsync(_jobId, j => Status.IsFinished(j.Attempts[0].Nodes[0].Status), seconds: 30);
        Assert.Equal(Status.Failed, job.Status);
        using (var closed = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await holder.WaitForExitAsync(closed.Token);
        }

        Assert.Contains("Released by", await _server.LogAsync(_jobId), StringComparison.Ordinal);
        await Expect.ProblemAsync(await _server.Client.PostAsync($"/api/jobs/{_jobId}/nodes/0/release", null), 409, ErrorCodes.SshEndpointUnavailable);
    }

    private async Task<(int Code, string Out, string Err)> CliAsync(params string[] args)
    {
        using var home = new TempFolder();
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home.Path,
            ["PORTHOLE_CONFIG"] = Path.Combine(home.Path, "config.json"),
            ["PORTHOLE_SERVER"] = _server.Address.ToString(),
            ["PORTHOLE_TOKEN"] = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim(),
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Cli.Cli.RunAsync(args, Cli.CliContext.Create(output, error, environment), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
