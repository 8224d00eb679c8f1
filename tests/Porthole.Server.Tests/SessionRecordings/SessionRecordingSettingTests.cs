using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.Pipelines;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.SessionRecordings;

/// <summary>
/// The project's <c>session_recording</c> (R-BEY-2): on by default, changed by admins through the API and the CLI, and
/// carried to the node by the lease of every SSH node (<see cref="Contracts.Ssh.SshRequest.Record"/>): an SSH rerun's
/// and a node held on failure's.
/// </summary>
public sealed class SessionRecordingSettingTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          build:
            steps:
              - run: echo build
        workflows:
          main:
            jobs:
              - build
        """;

    private readonly TempFolder _data = new();
    private readonly TempFolder _home = new();
    private GitRepository _repository = null!;
    private JobDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await JobDataServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _home.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task The_setting_is_on_by_default_changed_by_admins_only_and_a_non_boolean_is_a_clear_error()
    {
        Assert.True((await _server.Client.GetFromJsonAsyncOrFail<ProjectView>("/api/projects/app")).SessionRecording);
        Assert.Contains("\"session_recording\":true", await _server.Client.GetStringAsync("/api/projects/app"), StringComparison.Ordinal);

        using var wrong = new StringContent("""{"session_recording": "off"}""", System.Text.Encoding.UTF8, "application/json");
        var bad = await _server.Client.PutAsync("/api/projects/app/settings", wrong);
        Assert.Equal(400, (int)bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);

        var token = await _server.CreateUserAsync("writer");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/writer", new { role = "write" }, ApiJson.Options), 204);
        using (var writer = _server.ClientFor(token))
        {
            var refused = await writer.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null) { SessionRecording = false }, ApiJson.Options);
            await Expect.ProblemAsync(refused, 403, ErrorCodes.Forbidden);
        }

        var off = await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null) { SessionRecording = false }, ApiJson.Options);
        await Expect.StatusAsync(off, 200);
        var view = (await off.Content.ReadFromJsonAsync<ProjectView>(ApiJson.Options))!;
        Assert.False(view.SessionRecording);
        Assert.True(view.DebugEnabled);

        var cli = await CliAsync("project", "settings", "app", "--session-recording", "true");
        Assert.True(cli.Code == 0, cli.Err);
        Assert.EndsWith(", session_recording true\n", cli.Out, StringComparison.Ordinal);
        Assert.True((await _server.Client.GetFromJsonAsyncOrFail<ProjectView>("/api/projects/app")).SessionRecording);
        cli = await CliAsync("project", "settings", "app", "--session-recording", "false");
        Assert.True(cli.Code == 0, cli.Err);
        Assert.EndsWith(", session_recording false\n", cli.Out, StringComparison.Ordinal);
        Assert.False((await _server.Client.GetFromJsonAsyncOrFail<ProjectView>("/api/projects/app")).SessionRecording);
        Assert.EndsWith(", session_recording false\n", (await CliAsync("project", "settings", "app")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_lease_of_an_ssh_node_records_as_the_project_says_at_the_lease()
    {
        // A node held on failure (R-BEY-1) is an SSH node from its lease on.
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync(
            "/api/projects/app/settings", new ProjectSettingsRequest(null, null) { HoldOnFailure = HoldOnFailureModes.Ssh }, ApiJson.Options), 200);
        await _server.TriggerAsync("app");
        var held = await _server.LeaseAsync();
        Assert.True(held.Ssh!.HoldOnFailure);
        Assert.True(held.Ssh.Record);
        await _server.CompleteAsync(held);

        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync(
            "/api/projects/app/settings", new ProjectSettingsRequest(null, null) { SessionRecording = false }, ApiJson.Options), 200);
        await _server.TriggerAsync("app");
        var unrecorded = await _server.LeaseAsync();
        Assert.True(unrecorded.Ssh!.HoldOnFailure);
        Assert.False(unrecorded.Ssh.Record);

        // An SSH rerun: off as the project is now, on once switched on again.
        var first = await RerunWithSshAsync(unrecorded);
        Assert.False(first.Ssh!.Record);
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync(
            "/api/projects/app/settings", new ProjectSettingsRequest(null, null) { SessionRecording = true }, ApiJson.Options), 200);
        var rerun = await RerunWithSshAsync(first);
        Assert.False(rerun.Ssh!.HoldOnFailure);
        Assert.True(rerun.Ssh.Record);
    }

    /// <summary>Ends <paramref name="node"/> and leases an SSH rerun of its job, asked by the admin.</summary>
    private async Task<NodeAssignment> RerunWithSshAsync(NodeAssignment node)
    {
        await _server.CompleteAsync(node);
        await using (var db = _server.Db())
        {
            var job = await db.Jobs.SingleAsync(j => j.Id == node.JobId);
            var admin = await db.Users.SingleAsync(u => u.Name == "admin");
            var (started, refusal) = await _server.Get<Reruns>().RerunWithSshAsync(db, job, admin.Id, CancellationToken.None);
            Assert.True(started is not null, refusal);
        }

        var lease = await _server.LeaseAsync();
        Assert.Equal(node.JobId, lease.JobId);
        return lease;
    }

    private async Task<(int Code, string Out, string Err)> CliAsync(params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _home.Path,
            ["PORTHOLE_CONFIG"] = Path.Combine(_home.Path, "config.json"),
            ["PORTHOLE_SERVER"] = _server.Address.ToString(),
            ["PORTHOLE_TOKEN"] = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim(),
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Cli.Cli.RunAsync(args, Cli.CliContext.Create(output, error, environment), new Cli.Ssh.InheritedStdioLauncher(), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
