using System.Text.Json;

namespace Porthole.Cli.Tests;

/// <summary><c>porthole keys</c>: what is sent for a key file, what is refused before sending, and what is printed.</summary>
public sealed class KeysCommandsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Keys_add_sends_the_public_key_line_and_title_and_prints_the_fingerprint()
    {
        var key = await TestKey.MakeAsync(Path.Combine(_folder.Path, "id_ed25519"));
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            $$"""{"fingerprint":"{{key.Fingerprint}}","type":"ssh-ed25519","comment":"ada@laptop","bits":256,"title":"laptop","created_at":"2025-11-23T04:16:09Z"}""",
            201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "keys", "add", key.PublicPath, "--title", "laptop");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal($"added key {key.Fingerprint} (ssh-ed25519 256, ada@laptop, title laptop)\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/users/me/keys", request.Path);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(key.PublicLine, body.RootElement.GetProperty("public_key").GetString());
        Assert.Equal("laptop", body.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Keys_add_of_a_private_key_is_one_line_naming_the_pub_file_and_sends_nothing()
    {
        var key = await TestKey.MakeAsync(Path.Combine(_folder.Path, "id_ed25519"));
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("{}", 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "keys", "add", key.PrivatePath);

        Assert.Equal(1, outcome.ExitCode);
        var line = Assert.Single(outcome.StderrLines);
        Assert.Equal($"error: {key.PrivatePath}: that is a private key; pass {key.PublicPath} (never share the private key)", line);
        Assert.DoesNotContain("PRIVATE", outcome.Stdout + outcome.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Keys_add_refuses_a_file_over_16_KiB_unread()
    {
        var file = Path.Combine(_folder.Path, "big.pub");
        await File.WriteAllTextAsync(file, "ssh-ed25519 " + new string('A', 17 * 1024));
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("{}", 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "keys", "add", file);

        Assert.Equal(1, outcome.ExitCode);
        Assert.StartsWith($"error: {file} is over 16 KiB", Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Keys_add_shows_the_servers_refusal_with_its_code()
    {
        var key = await TestKey.MakeAsync(Path.Combine(_folder.Path, "id_ed25519"));
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(
            409, "Conflict", "This key belongs to another user; a key belongs to one user only.", "key_taken"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "keys", "add", key.PublicPath);

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: This key belongs to another user; a key belongs to one user only. (key_taken)\n", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
    }

    [Fact]
    public async Task Keys_list_prints_a_table()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("""
            [{"fingerprint":"SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8","type":"ssh-ed25519","comment":"ada@laptop","bits":256,"title":"laptop","created_at":"2025-11-23T04:16:09Z"},
             {"fingerprint":"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU","type":"ssh-rsa","comment":null,"bits":3072,"title":null,"created_at":"2025-11-24T10:00:00Z"}]
            """));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "keys", "list");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            FINGERPRINT                                         TYPE         BITS  TITLE   COMMENT     ADDED
            SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8  ssh-ed25519  256   laptop  ada@laptop  2025-11-23 04:16:09Z
            SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU  ssh-rsa      3072  -       -           2025-11-24 10:00:00Z

            """,
            outcome.Stdout);
        Assert.Equal("/api/users/me/keys", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task Keys_list_with_no_keys_says_how_to_add_one()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("[]"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "keys", "list");

        Assert.Equal("no SSH keys yet: add one with porthole keys add ~/.ssh/id_ed25519.pub\n", outcome.Stdout);
    }

    [Fact]
    public async Task Keys_rm_sends_the_fingerprint_url_encoded()
    {
        const string Fingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
        await using var server = new FakeHttpServer((request, response) => response.BytesAsync(204, "text/plain", []));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "keys", "rm", Fingerprint);

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal($"removed key {Fingerprint}\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("DELETE", request.Method);
        Assert.Equal("/api/users/me/keys?fingerprint=SHA256%3A47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU", request.Target);
        Assert.Equal(Fingerprint, request.Query("fingerprint"));
    }

    [Fact]
    public async Task Keys_rm_of_something_that_is_not_a_fingerprint_is_a_usage_error()
    {
        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(FakeHttpServer.ClosedUrl(), _folder), "keys", "rm", "~/.ssh/id_ed25519.pub");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("copy it from porthole keys list", Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_import_prints_what_was_added_and_what_was_skipped_and_why()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("""
            {"added":[{"fingerprint":"SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8","type":"ssh-ed25519","comment":null,"bits":256,"title":"imported from github:ada","created_at":"2025-11-23T04:16:09Z"}],
             "skipped":[{"fingerprint":"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU","line":"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ","reason":"You have already added this key."},
                        {"fingerprint":null,"line":"ssh-dss AAAAB3NzaC1kc3MAAACBAP","reason":"DSA keys are not accepted: use ed25519."}]}
            """));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "keys", "import", "github:ada");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            added   SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8 (ssh-ed25519 256, title imported from github:ada)
            skipped SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU: You have already added this key.
            skipped "ssh-dss AAAAB3NzaC1kc3MAAACBAP": DSA keys are not accepted: use ed25519.
            1 added, 2 skipped from github:ada

            """,
            outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/api/users/me/keys/import", request.Path);
        Assert.Equal("""{"source":"github:ada"}""", request.Body);
    }

    [Theory]
    [InlineData("ada")]
    [InlineData("sourcehut:ada")]
    [InlineData("github:")]
    public async Task Keys_import_from_an_unknown_source_is_a_usage_error(string source)
    {
        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(FakeHttpServer.ClosedUrl(), _folder), "keys", "import", source);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("github:USER, gitlab:USER or bitbucket:USER", Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
    }
}
