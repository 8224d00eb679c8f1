using System.Text;
using System.Text.Json;

namespace Porthole.Cli.Tests;

/// <summary><c>porthole artifacts</c>: the list, <c>--json</c>, and <c>--download</c> byte for byte, refusing what would leave the folder.</summary>
public sealed class ArtifactsCommandTests : IDisposable
{
    private static readonly byte[] Hello = Encoding.UTF8.GetBytes("hello from the job\n");

    // Bigger than the download's buffer, and every byte value: a streamed copy that loses or mangles a piece shows.
    private static readonly byte[] Report = [.. Enumerable.Range(0, 300_000).Select(i => (byte)((i * 7919) ^ (i >> 8)))];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Out => Path.Combine(_folder.Path, "out");

    [Fact]
    public async Task Lists_path_node_size_and_the_absolute_url_for_the_attempt_asked()
    {
        await using var server = Serve(
            ("art/hello.txt", 0, Hello, Hello.Length),
            ("reports/html/index.html", 1, Report, 1_258_291));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "artifacts", "12", "--attempt", "2");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            $"""
            PATH                     NODE  SIZE      URL
            art/hello.txt            0     19 bytes  {server.Url}/api/jobs/12/artifacts/0/art/hello.txt?attempt=2
            reports/html/index.html  1     1.2 MB    {server.Url}/api/jobs/12/artifacts/1/reports/html/index.html?attempt=2

            """,
            outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/api/jobs/12/artifacts", request.Path);
        Assert.Equal("2", request.Query("attempt"));
    }

    [Fact]
    public async Task Json_prints_the_servers_answer_as_it_is()
    {
        await using var server = Serve(("art/hello.txt", 0, Hello, Hello.Length));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "artifacts", "12", "--json");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(ListJson(("art/hello.txt", 0, Hello.Length), attempt: null) + "\n", outcome.Stdout);
        Assert.Null(Assert.Single(server.Requests).Query("attempt"));
    }

    [Fact]
    public async Task An_empty_list_says_so()
    {
        await using var server = Serve();

        var listed = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "artifacts", "12");
        var downloaded = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "artifacts", "12", "--download", Out);

        Assert.Equal((0, "No artifacts.\n", ""), (listed.ExitCode, listed.Stdout, listed.Stderr));
        Assert.Equal((0, "No artifacts.\n", ""), (downloaded.ExitCode, downloaded.Stdout, downloaded.Stderr));
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task Download_writes_every_artifact_byte_for_byte_under_its_node_and_path()
    {
        await using var server = Serve(
            ("art/hello.txt", 0, Hello, Hello.Length),
            ("reports/html/deep/index.html", 0, Report, Report.Length),
            ("art/hello.txt", 1, Report[..1000], 1000));
        Directory.CreateDirectory(Path.Combine(Out, "0", "art"));
        await File.WriteAllTextAsync(Path.Combine(Out, "0", "art", "hello.txt"), "an older download, replaced");

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "artifacts", "12", "--download", Out, "-a", "3");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(Hello, await File.ReadAllBytesAsync(Path.Combine(Out, "0", "art", "hello.txt")));
        Assert.Equal(Report, await File.ReadAllBytesAsync(Path.Combine(Out, "0", "reports", "html", "deep", "index.html")));
        Assert.Equal(Report[..1000], await File.ReadAllBytesAsync(Path.Combine(Out, "1", "art", "hello.txt")));
        Assert.Equal(3, Directory.GetFiles(Out, "*", SearchOption.AllDirectories).Length);
        Assert.Equal(
            $"""
            {Out}/0/art/hello.txt (19 bytes)
            {Out}/0/reports/html/deep/index.html (293 KB)
            {Out}/1/art/hello.txt (1000 bytes)
            3 files, 294 KB, in {Out}

            """,
            outcome.Stdout);
        Assert.All(server.Requests.Skip(1), r => Assert.Equal("3", r.Query("attempt")));
        Assert.All(server.Requests, r => Assert.Equal("Bearer t0ken", r.Header("Authorization")));
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("art/../../../evil.txt")]
    [InlineData("..")]
    [InlineData("{absolute}")]
    public async Task Download_refuses_a_path_that_leaves_the_folder_and_writes_nothing(string path)
    {
        path = path.Replace("{absolute}", Path.Combine(_folder.Path, "evil.txt"), StringComparison.Ordinal);
        await using var server = Serve(
            ("art/hello.txt", 0, Hello, Hello.Length),
            (path, 0, Hello, Hello.Length));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "artifacts", "12", "--download", Out);

        Assert.Equal(1, outcome.ExitCode);
        var line = Assert.Single(outcome.StderrLines);
        Assert.StartsWith($"error: artifact '{path}' of node 0 would be written outside {Out} (", line, StringComparison.Ordinal);
        Assert.EndsWith("): refused, nothing was written outside " + Out, line, StringComparison.Ordinal);
        Assert.Equal("", outcome.Stdout);

        // Checked before the first byte: not even the good artifact was fetched, and nothing is on disk, in or out.
        Assert.Single(server.Requests);
        Assert.Empty(FilesUnder(_folder.Path));
    }

    [Fact]
    public async Task Download_refuses_to_follow_a_symbolic_link_already_in_the_folder()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_folder.Path, "outside")).FullName;
        Directory.CreateDirectory(Path.Combine(Out, "0"));
        File.CreateSymbolicLink(Path.Combine(Out, "0", "art"), outside);
        File.CreateSymbolicLink(Path.Combine(Out, "0", "hello.txt"), Path.Combine(outside, "hello.txt"));
        await using var server = Serve(("art/hello.txt", 0, Hello, Hello.Length));
        await using var second = Serve(("hello.txt", 0, Hello, Hello.Length));

        var throughFolder = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "artifacts", "12", "--download", Out);
        var onFile = await CliRunner.RunAsync(CliRunner.LoggedIn(second.Url, _folder), "artifacts", "12", "--download", Out);

        Assert.Equal(1, throughFolder.ExitCode);
        Assert.Contains($"{Out}/0/art is a symbolic link", throughFolder.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, onFile.ExitCode);
        Assert.Contains($"{Out}/0/hello.txt is a symbolic link", onFile.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
        Assert.Single(server.Requests);
        Assert.Single(second.Requests);
    }

    [Theory]
    [InlineData(18)]
    [InlineData(20)]
    public async Task Download_detects_a_size_that_is_not_the_listed_one_and_keeps_nothing_of_it(int listedSize)
    {
        await using var server = Serve(("art/hello.txt", 0, Hello, listedSize));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "artifacts", "12", "--download", Out);

        Assert.Equal(1, outcome.ExitCode);
        var what = listedSize < Hello.Length ? "more than" : "19 bytes, not";
        Assert.Equal($"error: artifact 'art/hello.txt' of node 0: the server sent {what} the {listedSize} bytes it listed; not kept\n", outcome.Stderr);
        Assert.Empty(FilesUnder(Out));
    }

    [Fact]
    public async Task Download_refuses_an_address_on_another_server_so_the_token_stays_home()
    {
        await using var elsewhere = new FakeHttpServer((request, response) => response.BytesAsync(200, "application/octet-stream", Hello));
        var list = $$"""{"items":[{"path":"a.txt","node_index":0,"url":"{{elsewhere.Url}}/steal","size":19}],"next_page_token":null}""";
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(list));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "artifacts", "12", "--download", Out);

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains($"is listed at '{elsewhere.Url}/steal', not on {server.Url}: refused", outcome.Stderr, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
        Assert.Empty(FilesUnder(Out));
    }

    [Fact]
    public async Task An_unknown_job_gets_the_same_error_as_porthole_logs()
    {
        await using var server = new FakeHttpServer((request, response) =>
            response.ProblemAsync(404, "Not Found", "There is no job 99 that you can see.", "job_not_found"));
        var environment = CliRunner.LoggedIn(server.Url, _folder);

        var logs = await CliRunner.RunAsync(environment, "logs", "99");
        var artifacts = await CliRunner.RunAsync(environment, "artifacts", "99");
        var download = await CliRunner.RunAsync(environment, "artifacts", "99", "--download", Out);
        var tests = await CliRunner.RunAsync(environment, "tests", "99");

        Assert.Equal("error: There is no job 99 that you can see. (job_not_found)\n", logs.Stderr);
        Assert.All([artifacts, download, tests], outcome => Assert.Equal((1, logs.Stderr, ""), (outcome.ExitCode, outcome.Stderr, outcome.Stdout)));
        Assert.False(Directory.Exists(Out));
    }

    [Theory]
    [InlineData("--attempt", "0")]
    [InlineData("--json", "--download")]
    public async Task Wrong_options_are_usage_errors(string option, string value)
    {
        var args = value == "--download" ? new[] { "artifacts", "12", option, value, Out } : ["artifacts", "12", option, value];

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(FakeHttpServer.ClosedUrl(), _folder), args);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.StderrLines);
    }

    private static string ListJson((string Path, int Node, long Size) item, int? attempt) =>
        ListJson([item], attempt);

    private static string ListJson(IEnumerable<(string Path, int Node, long Size)> items, int? attempt)
    {
        var query = attempt is { } a ? $"?attempt={a}" : "";
        return JsonSerializer.Serialize(new
        {
            items = items.Select(i => new { path = i.Path, node_index = i.Node, url = $"/api/jobs/12/artifacts/{i.Node}/{i.Path}{query}", size = i.Size }),
            next_page_token = (string?)null,
        });
    }

    /// <summary>
    /// A server that lists the artifacts (their URLs carry the attempt asked for, as the real one's do) and serves each one's
    /// bytes at its URL; the listed size may differ from the bytes, to test the check.
    /// </summary>
    private static FakeHttpServer Serve(params (string Path, int Node, byte[] Bytes, long Size)[] artifacts) => new((request, response) =>
    {
        if (request.Path == "/api/jobs/12/artifacts")
        {
            var attempt = request.Query("attempt") is { } a ? int.Parse(a, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
            return response.JsonAsync(ListJson(artifacts.Select(x => (x.Path, x.Node, x.Size)), attempt));
        }

        foreach (var artifact in artifacts)
        {
            if (request.Path == $"/api/jobs/12/artifacts/{artifact.Node}/{artifact.Path}")
            {
                return response.BytesAsync(200, "application/octet-stream", artifact.Bytes);
            }
        }

        return response.ProblemAsync(404, "Not Found", $"no artifact at {request.Path}", "not_found");
    });

    private static List<string> FilesUnder(string folder) =>
        Directory.Exists(folder)
            ? [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Where(f => f != "no-config.json")]
            : [];
}
