using System.Text;

namespace Porthole.Cli.Tests;

/// <summary>
/// <c>porthole recordings</c> (R-BEY-2): the list, a clear line when there is none, <c>--json</c>, and <c>--download</c>
/// under a name of its own when the server gives none, never over an existing file without <c>--force</c>.
/// </summary>
public sealed class RecordingsCommandTests : IDisposable
{
    private static readonly byte[] Cast = Encoding.UTF8.GetBytes("{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.5, \"o\", \"$ \"]\n");

    private const string List = """
        {"items":[
          {"id":7,"node_index":0,"user_name":"ann","fingerprint":"SHA256:x","via":"ssh","started_at":"2026-12-07T09:30:15Z","ended_at":"2026-12-07T09:31:00Z","seconds":44.6,"size":2048,"truncated":false,"url":"/api/jobs/12/recordings/7?attempt=2"},
          {"id":12,"node_index":1,"user_name":"bob","fingerprint":"SHA256:y","via":"web","started_at":"2026-12-07T10:00:00Z","ended_at":"2026-12-07T11:30:00Z","seconds":5400,"size":5242880,"truncated":true,"url":"/api/jobs/12/recordings/12?attempt=2"}]}
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Lists_id_node_user_via_start_length_and_size_and_says_when_a_recording_was_cut()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(List));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "recordings", "12", "--attempt", "2");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(
            """
            ID  NODE  USER  VIA  STARTED               LENGTH  SIZE
            7   0     ann   ssh  2026-12-07 09:30:15Z  45s     2 KB
            12  1     bob   web  2026-12-07 10:00:00Z  1h 30m  5 MB (cut at the cap)

            """,
            outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/api/jobs/12/recordings", request.Path);
        Assert.Equal("2", request.Query("attempt"));

        var json = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "recordings", "12", "--json");
        Assert.Equal(List + "\n", json.Stdout);
    }

    [Fact]
    public async Task An_empty_list_says_so_and_why_there_may_be_none()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("""{"items":[]}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "recordings", "12");

        Assert.Equal(0, outcome.ExitCode);
        Assert.StartsWith("No session recordings:", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("session_recording", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_saves_the_bytes_under_a_name_of_its_own_and_replaces_a_file_only_with_force()
    {
        await using var server = new FakeHttpServer((request, response) => response.BytesAsync(200, "application/x-asciicast", Cast));
        var file = Path.Combine(_folder.Path, "job-12-session-7.cast");

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "recordings", "12", "--download", "7", "-o", _folder.Path, "-a", "2");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal($"Session recording 7 of job 12 saved to {file} ({Cast.Length} bytes); play it with: asciinema play {file}\n", outcome.Stdout);
        Assert.Equal(Cast, await File.ReadAllBytesAsync(file));
        var request = Assert.Single(server.Requests);
        Assert.Equal("/api/jobs/12/recordings/7", request.Path);
        Assert.Equal("2", request.Query("attempt"));

        await File.WriteAllTextAsync(file, "kept");
        var refused = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "recordings", "12", "--download", "7", "-o", file);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("exists already: pass --force", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("kept", await File.ReadAllTextAsync(file));

        var forced = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "recordings", "12", "--download", "7", "-o", file, "--force");
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(Cast, await File.ReadAllBytesAsync(file));
        Assert.Equal([file], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public async Task Options_that_do_not_go_together_are_usage_errors_and_nothing_is_asked()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(List));

        foreach (var args in (string[][])[
            ["recordings", "12", "--force"],
            ["recordings", "12", "-o", "x.cast"],
            ["recordings", "12", "--download", "7", "--json"],
            ["recordings", "12", "--download", "0"],
            ["recordings", "12", "--download", "seven"]])
        {
            var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), args);
            Assert.Equal(2, outcome.ExitCode);
            Assert.NotEqual("", outcome.Stderr);
        }

        Assert.Empty(server.Requests);
    }
}
