using System.Text;
using System.Text.Json;

namespace Porthole.Cli.Tests;

/// <summary><c>porthole orb</c>: what is sent, what is refused before sending (a file that is not an orb, a range to import), what is printed.</summary>
public sealed class OrbCommandsTests : IDisposable
{
    private const string Source = "version: 2.1\ncommands:\n  greet:\n    steps: [{run: echo hi}]\n";

    private const string Stored = """
        {"orb":{"namespace":"acme","name":"greeter","version":"1.2.3","reference":"acme/greeter@1.2.3","size":2048,"imported_at":"2025-11-23T04:16:09Z"},"outcome":"created","requested":"acme/greeter@1.2.3"}
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Import_puts_the_file_as_yaml_at_the_exact_version()
    {
        var file = Write("orb.yml", Source);
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Stored, 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "orb", "import", file, "acme/greeter@1.2.3", "--force");

        Assert.Equal((0, "", "imported acme/greeter@1.2.3 (2 KB)\n"), (outcome.ExitCode, outcome.Stderr, outcome.Stdout));
        var request = Assert.Single(server.Requests);
        Assert.Equal(("PUT", "/api/orbs/acme/greeter/1.2.3", "true"), (request.Method, request.Path, request.Query("force")));
        Assert.Equal("application/yaml; charset=utf-8", request.Header("content-type"));
        Assert.Equal(Source, request.Body);
    }

    [Fact]
    public async Task A_dev_version_is_escaped_in_the_path()
    {
        var file = Write("orb.yml", Source);
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Stored, 201));

        await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "orb", "import", file, "acme/greeter@dev:my-branch");

        var request = Assert.Single(server.Requests);
        Assert.Equal("/api/orbs/acme/greeter/dev%3Amy-branch", request.Path);
        Assert.Null(request.Query("force"));
    }

    [Theory]
    [InlineData("commands:\n  greet: [oops\n  x: 1\n", "malformed YAML")]
    [InlineData("- a list\n", ":1:1: an orb's source is a map")]
    public async Task Import_of_a_file_that_is_not_an_orb_names_its_line_and_sends_nothing(string text, string said)
    {
        var file = Write("orb.yml", text);
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Stored, 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "orb", "import", file, "acme/greeter@1.2.3");

        Assert.Equal(1, outcome.ExitCode);
        var line = Assert.Single(outcome.StderrLines);
        Assert.Matches($"^error: {System.Text.RegularExpressions.Regex.Escape(file)}:\\d+:\\d+: ", line);
        Assert.Contains(said, line, StringComparison.Ordinal);
        Assert.EndsWith("(that is not an orb's source)", line, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Import_refuses_missing_binary_and_oversized_files_unsent()
    {
        var binary = Path.Combine(_folder.Path, "orb.bin");
        await File.WriteAllBytesAsync(binary, [0x61, 0x3a, 0x20, 0xff]);
        var large = Write("large.yml", "a: " + new string('x', 1024 * 1024));
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Stored, 201));
        var environment = CliRunner.LoggedIn(server.Url, _folder);

        var missing = await CliRunner.RunAsync(environment, "orb", "import", Path.Combine(_folder.Path, "nope.yml"), "acme/greeter@1.2.3");
        var notText = await CliRunner.RunAsync(environment, "orb", "import", binary, "acme/greeter@1.2.3");
        var tooLarge = await CliRunner.RunAsync(environment, "orb", "import", large, "acme/greeter@1.2.3");

        Assert.Equal((1, $"error: {Path.Combine(_folder.Path, "nope.yml")}: no such file\n"), (missing.ExitCode, missing.Stderr));
        Assert.Equal((1, $"error: {binary} is not UTF-8 text, so it is not an orb's YAML source\n"), (notText.ExitCode, notText.Stderr));
        Assert.Equal((1, $"error: {large} is over 1 MiB, more than an orb's source may be\n"), (tooLarge.ExitCode, tooLarge.Stderr));
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("acme/greeter@1.2", "an orb is imported at the exact version the file is: acme/greeter@X.Y.Z, not @1.2")]
    [InlineData("acme/greeter", "'acme/greeter' is not an orb reference; write namespace/name@version, such as circleci/node@5.2.0")]
    [InlineData("Acme/greeter@1.2.3", "'Acme/greeter@1.2.3' is not an orb reference; write namespace/name@version, such as circleci/node@5.2.0")]
    public async Task A_reference_that_cannot_be_imported_is_a_usage_error(string reference, string message)
    {
        var file = Write("orb.yml", Source);
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Stored, 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "orb", "import", file, reference);

        Assert.Equal((2, $"error: {message}\n"), (outcome.ExitCode, outcome.Stderr));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Fetch_posts_the_reference_and_says_which_version_a_range_became()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            Stored.Replace("\"requested\":\"acme/greeter@1.2.3\"", "\"requested\":\"acme/greeter@1\"", StringComparison.Ordinal), 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "orb", "fetch", "acme/greeter@1");

        Assert.Equal((0, "fetched acme/greeter@1.2.3 (2 KB) (newest for @1)\n"), (outcome.ExitCode, outcome.Stdout));
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/orbs/fetch"), (request.Method, request.Path));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("acme/greeter@1", body.RootElement.GetProperty("reference").GetString());
        Assert.False(body.RootElement.GetProperty("force").GetBoolean());
    }

    [Fact]
    public async Task Fetch_shows_the_servers_refusal_with_its_code()
    {
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(
            502, "Error", "cannot reach CircleCI's orb registry at https://circleci.com/graphql-unstable: Name or service not known.", "orb_registry_failed"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "orb", "fetch", "circleci/node@5.2.0");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal(
            "error: cannot reach CircleCI's orb registry at https://circleci.com/graphql-unstable: Name or service not known. (orb_registry_failed)\n",
            outcome.Stderr);
    }

    [Fact]
    public async Task List_prints_a_table_or_the_json_as_it_is()
    {
        const string json = """
            [{"namespace":"acme","name":"greeter","version":"1.10.0","reference":"acme/greeter@1.10.0","size":900,"imported_at":"2025-11-23T04:16:09Z"},
             {"namespace":"circleci","name":"node","version":"dev:beta","reference":"circleci/node@dev:beta","size":1536,"imported_at":"2025-11-24T00:00:00Z"}]
            """;
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(json));

        var table = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "orb", "list");
        var raw = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "orb", "list", "--json");

        Assert.Equal(0, table.ExitCode);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(
            ["ORB VERSION SIZE IMPORTED", "acme/greeter 1.10.0 900 bytes 2025-11-23 04:16:09Z", "circleci/node dev:beta 1.5 KB 2025-11-24 00:00:00Z"],
            lines);
        Assert.Equal(json + "\n", raw.Stdout);
        Assert.All(server.Requests, request => Assert.Equal("/api/orbs", request.Path));
    }

    [Fact]
    public async Task Source_prints_the_stored_text_as_it_is()
    {
        await using var server = new FakeHttpServer((request, response) => response.BytesAsync(200, "application/yaml; charset=utf-8", Encoding.UTF8.GetBytes(Source)));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "orb", "source", "acme/greeter@volatile");

        Assert.Equal((0, Source, ""), (outcome.ExitCode, outcome.Stdout, outcome.Stderr));
        Assert.Equal("/api/orbs/acme/greeter/volatile", Assert.Single(server.Requests).Path);
    }
}
