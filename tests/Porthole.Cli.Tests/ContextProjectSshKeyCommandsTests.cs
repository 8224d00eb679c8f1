using System.Text.Json;

namespace Porthole.Cli.Tests;

/// <summary>
/// <c>porthole project ssh-key add|list|delete</c>: a project's additional SSH keys for <c>add_ssh_keys</c> (§A5). The
/// private key file's text is sent as it is; a public key, a folder or a file over 16 KiB is refused before sending.
/// </summary>
public sealed class ContextProjectSshKeyCommandsTests : IDisposable
{
    private const string Md5 = "d4:1d:8c:d9:8f:00:b2:04:e9:80:09:98:ec:f8:42:7e";
    private const string Sha256 = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Add_sends_the_private_key_and_host_and_prints_both_fingerprints()
    {
        var key = await TestKey.MakeAsync(Path.Combine(_folder.Path, "deploy_key"));
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            $$"""{"md5":"{{Md5}}","sha256":"{{Sha256}}","type":"ED25519","bits":256,"host":"git.example.com","created_at":"2025-11-23T04:16:09Z"}""", 201));

        var outcome = await CliRunner.RunAsync(
            CliRunner.LoggedIn(server.Url, _folder), "project", "ssh-key", "add", "app", key.PrivatePath, "--host", "git.example.com");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal($"added SSH key {Sha256} (MD5:{Md5}, ED25519 256) to project app, for git.example.com\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/projects/app/ssh-keys"), (request.Method, request.Path));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(await File.ReadAllTextAsync(key.PrivatePath), body.RootElement.GetProperty("private_key").GetString());
        Assert.Equal("git.example.com", body.RootElement.GetProperty("host").GetString());
    }

    [Fact]
    public async Task Add_of_a_public_key_names_the_private_file_and_sends_nothing()
    {
        var key = await TestKey.MakeAsync(Path.Combine(_folder.Path, "deploy_key"));
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("{}", 201));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "ssh-key", "add", "app", key.PublicPath);

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal($"error: {key.PublicPath} is a public key: pass {key.PrivatePath} (the project's jobs need the private key)\n", outcome.Stderr);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Add_of_a_missing_or_too_large_file_sends_nothing_and_the_servers_refusal_is_one_line()
    {
        var big = Path.Combine(_folder.Path, "big");
        await File.WriteAllTextAsync(big, new string('A', 17 * 1024));
        var notAKey = Path.Combine(_folder.Path, "notes.txt");
        await File.WriteAllTextAsync(notAKey, "hello");
        const string Detail = "That is not an SSH private key: send the text of a private key file without a passphrase (-----BEGIN OPENSSH PRIVATE KEY----- …).";
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(400, "Bad request", Detail, "not_a_private_key"));
        var environment = CliRunner.LoggedIn(server.Url, _folder);

        var missing = await CliRunner.RunAsync(environment, "project", "ssh-key", "add", "app", Path.Combine(_folder.Path, "nope"));
        var tooLarge = await CliRunner.RunAsync(environment, "project", "ssh-key", "add", "app", big);
        Assert.Empty(server.Requests);
        var refused = await CliRunner.RunAsync(environment, "project", "ssh-key", "add", "app", notAKey);

        Assert.Equal((1, $"error: {Path.Combine(_folder.Path, "nope")}: no such file\n"), (missing.ExitCode, missing.Stderr));
        Assert.Equal((1, $"error: {big} is over 16 KiB: that is not an SSH private key\n"), (tooLarge.ExitCode, tooLarge.Stderr));
        Assert.Equal((1, $"error: {Detail} (not_a_private_key)\n"), (refused.ExitCode, refused.Stderr));
    }

    [Fact]
    public async Task List_prints_the_fingerprints_never_a_key_and_delete_sends_the_fingerprint()
    {
        await using var server = new FakeHttpServer((request, response) => request.Method == "GET"
            ? response.JsonAsync($$"""
                [{"md5":"{{Md5}}","sha256":"{{Sha256}}","type":"ED25519","bits":256,"host":null,"created_at":"2025-11-23T04:16:09Z"},
                 {"md5":"00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff","sha256":"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU","type":"RSA","bits":3072,"host":"git.example.com","created_at":"2025-11-24T10:00:00Z"}]
                """)
            : response.BytesAsync(204, "text/plain", []));
        var environment = CliRunner.LoggedIn(server.Url, _folder);

        var list = await CliRunner.RunAsync(environment, "project", "ssh-key", "list", "app");
        var delete = await CliRunner.RunAsync(environment, "project", "ssh-key", "delete", "app", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");

        Assert.Equal(0, list.ExitCode);
        Assert.Equal(
            $"""
            MD5                                              SHA256                                              TYPE         HOST             ADDED
            {Md5}  {Sha256}  ED25519 256  *                2025-11-23 04:16:09Z
            00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff  SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU  RSA 3072     git.example.com  2025-11-24 10:00:00Z

            """,
            list.Stdout);
        Assert.Equal("deleted SSH key SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU from project app\n", delete.Stdout);
        var deleted = server.Requests.Last();
        Assert.Equal(("DELETE", "/api/projects/app/ssh-keys"), (deleted.Method, deleted.Path));
        Assert.Equal("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", deleted.Query("fingerprint"));
    }
}
