using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Contracts.Ssh;
using Porthole.Server.JobData;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.SessionRecordings;

/// <summary>
/// Session recordings (R-BEY-2) stored through the runner service and read through the real HTTP API: the list of an
/// attempt oldest first, each file byte-identical as an asciicast download, the log's access rules, and a 404 of its own
/// for a recording that is not the job's attempt's.
/// </summary>
public sealed class RecordingsApiTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          build:
            parallelism: 2
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
    public async Task Recordings_are_listed_oldest_first_and_downloaded_byte_identical_as_asciicast_files()
    {
        await _server.TriggerAsync("app");
        var node0 = await _server.LeaseAsync();
        var node1 = await _server.LeaseAsync();
        var later = RecordingFiles.Asciicast("ls -la\nexit");
        var earlier = RecordingFiles.Asciicast("cat test-results.xml");
        var web = RecordingFiles.Asciicast("make test");
        await RecordingFiles.StoreAsync(_server, node0, later, RecordingFiles.File(later, startedAt: RecordingFiles.Morning.AddMinutes(5), seconds: 12));
        await RecordingFiles.StoreAsync(_server, node0, earlier, RecordingFiles.File(earlier, truncated: true));
        await RecordingFiles.StoreAsync(
            _server, node1, web, RecordingFiles.File(web, user: "alice", startedAt: RecordingFiles.Morning.AddMinutes(1), seconds: 3.25, via: SshVia.Web));

        var list = await _server.Client.GetFromJsonAsyncOrFail<SessionRecordingList>($"/api/jobs/{node0.JobId}/recordings");
        Assert.Equal(
            [(0, "admin", RecordingFiles.Morning, 42.5, earlier.Length, true, "ssh"),
             (1, "alice", RecordingFiles.Morning.AddMinutes(1), 3.25, web.Length, false, "web"),
             (0, "admin", RecordingFiles.Morning.AddMinutes(5), 12, later.Length, false, "ssh")],
            list.Items.Select(r => (r.NodeIndex, r.UserName, r.StartedAt, r.Seconds, (int)r.Size, r.Truncated, r.Via)));
        var first = list.Items[0];
        Assert.Equal(RecordingFiles.Fingerprint("admin"), first.Fingerprint);
        Assert.Equal(RecordingFiles.Morning.AddSeconds(43.5), first.EndedAt);
        Assert.Equal($"/api/jobs/{node0.JobId}/recordings/{first.Id}?attempt=1", first.Url);

        var response = await _server.Client.GetAsync(first.Url);
        await Expect.StatusAsync(response, 200);
        Assert.Equal(earlier, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/x-asciicast", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"attachment; filename=\"job-{node0.JobId}-node-0-session-{first.Id}.cast\"", string.Join(';', response.Content.Headers.GetValues("Content-Disposition")));
        Assert.Equal("sandbox", string.Join(';', response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(';', response.Headers.GetValues("X-Content-Type-Options")));
        response = await _server.Client.GetAsync(list.Items[1].Url);
        Assert.Equal(web, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"job-{node0.JobId}-node-1-session-{list.Items[1].Id}.cast", response.Content.Headers.ContentDisposition?.FileName);

        // The web's view is the API's list.
        var view = await _server.Get<JobDataViews>().RecordingsAsync(node0.JobId, 1, CancellationToken.None);
        Assert.Equal(list.Items, view.Items);
    }

    [Fact]
    public async Task Someone_who_may_not_read_the_project_gets_the_logs_404_and_a_reader_gets_the_recordings()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = RecordingFiles.Asciicast("echo do-not-leak");
        await RecordingFiles.StoreAsync(_server, node, bytes);
        var recording = Assert.Single((await _server.Client.GetFromJsonAsyncOrFail<SessionRecordingList>($"/api/jobs/{node.JobId}/recordings")).Items);

        using var stranger = _server.ClientFor(await _server.CreateUserAsync("stranger"));
        var log = await Expect.ProblemAsync(await stranger.GetAsync($"/api/jobs/{node.JobId}/log"), 404, ErrorCodes.JobNotFound);
        var list = await Expect.ProblemAsync(await stranger.GetAsync($"/api/jobs/{node.JobId}/recordings"), 404, ErrorCodes.JobNotFound);
        var file = await Expect.ProblemAsync(await stranger.GetAsync(recording.Url), 404, ErrorCodes.JobNotFound);
        Assert.Equal(log.GetProperty("detail").GetString(), list.GetProperty("detail").GetString());
        Assert.Equal(log.GetProperty("detail").GetString(), file.GetProperty("detail").GetString());

        using var anonymous = _server.ClientFor(null);
        var anonymousLog = (await anonymous.GetAsync($"/api/jobs/{node.JobId}/log")).StatusCode;
        Assert.Equal(anonymousLog, (await anonymous.GetAsync($"/api/jobs/{node.JobId}/recordings")).StatusCode);
        Assert.Equal(anonymousLog, (await anonymous.GetAsync(recording.Url)).StatusCode);

        var readerToken = await _server.CreateUserAsync("reader");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/reader", new { role = "read" }, ApiJson.Options), 204);
        using var reader = _server.ClientFor(readerToken);
        Assert.Equal(recording, Assert.Single((await reader.GetFromJsonAsyncOrFail<SessionRecordingList>($"/api/jobs/{node.JobId}/recordings")).Items));
        Assert.Equal(bytes, await reader.GetByteArrayAsync(recording.Url));
    }

    [Fact]
    public async Task A_recording_id_that_is_not_a_number_not_the_jobs_or_not_the_attempts_is_a_404_of_its_own()
    {
        await _server.TriggerAsync("app");
        var first = await _server.LeaseAsync();
        var second = await _server.LeaseAsync();
        await RecordingFiles.StoreAsync(_server, first, RecordingFiles.Asciicast("first job"));
        var job = first.JobId;
        var mine = Assert.Single((await _server.Client.GetFromJsonAsyncOrFail<SessionRecordingList>($"/api/jobs/{job}/recordings")).Items);

        await _server.TriggerAsync("app");
        var other = await _server.LeaseAsync();
        Assert.NotEqual(job, other.JobId);
        await RecordingFiles.StoreAsync(_server, other, RecordingFiles.Asciicast("another job"));
        var theirs = Assert.Single((await _server.Client.GetFromJsonAsyncOrFail<SessionRecordingList>($"/api/jobs/{other.JobId}/recordings")).Items);

        foreach (var id in (string[])["abc", "-1", "1.5", "99999999999999999999", "0", $"{mine.Id + theirs.Id + 100}", $"{theirs.Id}", " 1"])
        {
            await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{job}/recordings/{Uri.EscapeDataString(id)}"), 404, RecordingsApi.RecordingNotFound);
        }

        // Attempt 2 of the job (a rerun): the recording is attempt 1's, found with ?attempt=1 only.
        await _server.CompleteAsync(first);
        await _server.CompleteAsync(second);
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync($"/api/jobs/{job}/rerun", new RerunRequest(FromFailed: false), ApiJson.Options), 202);
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{job}/recordings/{mine.Id}"), 404, RecordingsApi.RecordingNotFound);
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{job}/recordings/{mine.Id}?attempt=2"), 404, RecordingsApi.RecordingNotFound);
        Assert.Empty((await _server.Client.GetFromJsonAsyncOrFail<SessionRecordingList>($"/api/jobs/{job}/recordings")).Items);
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{job}/recordings?attempt=7"), 404, ErrorCodes.NotFound);
        await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{job}/recordings/{mine.Id}?attempt=7"), 404, ErrorCodes.NotFound);
        await Expect.StatusAsync(await _server.Client.GetAsync(mine.Url), 200);
        Assert.Equal(mine.Url, $"/api/jobs/{job}/recordings/{mine.Id}?attempt=1");
    }

    [Fact]
    public async Task Porthole_recordings_lists_them_and_downloads_one_under_the_servers_name_replacing_a_file_only_with_force()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = RecordingFiles.Asciicast("ls\nmake test");
        await RecordingFiles.StoreAsync(_server, node, bytes, RecordingFiles.File(bytes, user: "admin", seconds: 187.4, truncated: true));
        var recording = Assert.Single((await _server.Client.GetFromJsonAsyncOrFail<SessionRecordingList>($"/api/jobs/{node.JobId}/recordings")).Items);

        var listed = await CliAsync("recordings", $"{node.JobId}");
        Assert.True(listed.Code == 0, listed.Err);
        Assert.Equal(
            $"""
            ID  NODE  USER   VIA  STARTED               LENGTH  SIZE
            {recording.Id,-2}  0     admin  ssh  2026-12-07 09:30:15Z  3m 07s  {bytes.Length} bytes (cut at the cap)

            """,
            listed.Out);

        var folder = Directory.CreateDirectory(Path.Combine(_home.Path, "casts")).FullName;
        var saved = await CliAsync("recordings", $"{node.JobId}", "--download", $"{recording.Id}", "-o", folder);
        Assert.True(saved.Code == 0, saved.Err);
        var file = Path.Combine(folder, $"job-{node.JobId}-node-0-session-{recording.Id}.cast");
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file));
        Assert.Contains($"asciinema play {file}", saved.Out, StringComparison.Ordinal);

        await File.WriteAllTextAsync(file, "mine");
        var refused = await CliAsync("recordings", $"{node.JobId}", "--download", $"{recording.Id}", "-o", file);
        Assert.Equal(1, refused.Code);
        Assert.Contains("--force", refused.Err, StringComparison.Ordinal);
        Assert.Equal("mine", await File.ReadAllTextAsync(file));
        Assert.Equal([file], Directory.GetFiles(folder));

        var forced = await CliAsync("recordings", $"{node.JobId}", "--download", $"{recording.Id}", "-o", file, "--force");
        Assert.True(forced.Code == 0, forced.Err);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file));

        var missing = await CliAsync("recordings", $"{node.JobId}", "--download", $"{recording.Id + 1}", "-o", folder);
        Assert.Equal(1, missing.Code);
        Assert.Contains("no session recording", missing.Err, StringComparison.Ordinal);
        Assert.Equal([file], Directory.GetFiles(folder));
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
