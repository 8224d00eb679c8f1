using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Contexts;

/// <summary>
/// A project's additional SSH keys through the API (§A5 <c>add_ssh_keys</c>): write members add them (the fingerprints
/// are those the real <c>ssh-keygen -l -E md5|sha256</c> prints), list them without the key, delete them by either
/// fingerprint; what is not a private key without a passphrase is a 400 saying so, and nothing is stored.
/// </summary>
public sealed class ProjectSshKeysApiTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private JobDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await JobDataServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", "/nonexistent/app");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
        _keys.Dispose();
    }

    [Fact]
    public async Task A_key_is_added_with_both_fingerprints_listed_without_the_key_and_deleted_by_either_fingerprint()
    {
        var ed25519 = SshKeyFile.Generate(_keys.Path, "deploy");
        var rsa = SshKeyFile.Generate(_keys.Path, "legacy", "rsa", 3072);

        var added = await AddAsync(_server.Client, ed25519, "git.example.com");
        await Expect.StatusAsync(added, 201);
        var view = (await added.Content.ReadFromJsonAsync<ProjectSshKeyView>(ApiJson.Options))!;
        Assert.Equal((Md5Of(ed25519), ed25519.Fingerprint, "ED25519", 256, "git.example.com"), (view.Md5, view.Sha256, view.Type, view.Bits, view.Host));
        await Expect.StatusAsync(await AddAsync(_server.Client, rsa, null), 201);

        var listed = await _server.Client.GetFromJsonAsyncOrFail<List<ProjectSshKeyView>>("/api/projects/app/ssh-keys");
        Assert.Equal(
            [(Md5Of(ed25519), ed25519.Fingerprint, "ED25519", 256, "git.example.com"), (Md5Of(rsa), rsa.Fingerprint, "RSA", 3072, null)],
            listed.Select(k => (k.Md5, k.Sha256, k.Type, k.Bits, k.Host)));
        var raw = await _server.Client.GetStringAsync("/api/projects/app/ssh-keys");
        Assert.DoesNotContain("PRIVATE", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(ed25519.PublicLine.Split(' ')[1], raw, StringComparison.Ordinal);

        await Expect.ProblemAsync(await AddAsync(_server.Client, ed25519, null), 409, ContextErrorCodes.SshKeyExists);
        await Expect.StatusAsync(await _server.Client.DeleteAsync($"/api/projects/app/ssh-keys?fingerprint={Uri.EscapeDataString("MD5:" + Md5Of(ed25519).ToUpperInvariant())}"), 204);
        await Expect.StatusAsync(await _server.Client.DeleteAsync($"/api/projects/app/ssh-keys?fingerprint={Uri.EscapeDataString(rsa.Fingerprint)}"), 204);
        var missing = await Expect.ProblemAsync(
            await _server.Client.DeleteAsync($"/api/projects/app/ssh-keys?fingerprint={Uri.EscapeDataString(Md5Of(rsa))}"), 404, ContextErrorCodes.SshKeyNotFound);
        Assert.Equal($"Project app has no SSH key with fingerprint {Md5Of(rsa)}.", missing.GetProperty("detail").GetString());
        Assert.Empty(await _server.Client.GetFromJsonAsyncOrFail<List<ProjectSshKeyView>>("/api/projects/app/ssh-keys"));
    }

    [Fact]
    public async Task What_is_not_a_private_key_without_a_passphrase_is_refused_and_nothing_is_stored()
    {
        var key = SshKeyFile.Generate(_keys.Path, "plain");
        var locked = Path.Combine(_keys.Path, "locked");
        SshKeyFile.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "a passphrase", "-f", locked]);
        var privateText = await File.ReadAllTextAsync(key.PrivateKeyPath);
        var broken = privateText.Replace(privateText.Split('\n')[2], new string('A', 70), StringComparison.Ordinal);

        foreach (var (text, expected) in new[]
        {
            ("hello, world", "That is not an SSH private key: send the text of a private key file without a passphrase (-----BEGIN OPENSSH PRIVATE KEY----- …)."),
            (key.PublicLine, "That is a public key, not an SSH private key: send the text of a private key file without a passphrase (-----BEGIN OPENSSH PRIVATE KEY----- …)."),
            (broken, "That is not an SSH private key (ssh-keygen cannot read it): send the text of a private key file without a passphrase (-----BEGIN OPENSSH PRIVATE KEY----- …)."),
            (await File.ReadAllTextAsync(locked), "That SSH private key is protected by a passphrase, which a job cannot type: remove it from a copy (ssh-keygen -p -N '' -f COPY) and add that."),
            (new string('x', 17 * 1024), "That is not an SSH private key: it is over 16 KiB; send the text of a private key file without a passphrase (-----BEGIN OPENSSH PRIVATE KEY----- …)."),
        })
        {
            var response = await _server.Client.PostAsJsonAsync("/api/projects/app/ssh-keys", new AddProjectSshKeyRequest(text, null), ApiJson.Options);
            var problem = await Expect.ProblemAsync(response, 400, ContextErrorCodes.NotAPrivateKey);
            Assert.Equal(expected, problem.GetProperty("detail").GetString());
        }

        var host = await Expect.ProblemAsync(await AddAsync(_server.Client, key, "evil.example.com\n  ProxyCommand sh"), 400, ErrorCodes.InvalidRequest);
        Assert.Contains("is not a host name", host.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(
            await _server.Client.PostAsJsonAsync("/api/projects/app/ssh-keys", new AddProjectSshKeyRequest(null, null), ApiJson.Options), 400, ErrorCodes.InvalidRequest);
        Assert.Empty(await _server.Client.GetFromJsonAsyncOrFail<List<ProjectSshKeyView>>("/api/projects/app/ssh-keys"));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_data.Path, "key-check")));
    }

    [Fact]
    public async Task Write_members_manage_the_keys_and_read_members_may_not_see_them()
    {
        var key = SshKeyFile.Generate(_keys.Path, "deploy");
        using var writer = _server.ClientFor(await _server.CreateUserAsync("writer"));
        using var reader = _server.ClientFor(await _server.CreateUserAsync("reader"));
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/writer", new { role = "write" }), 204);
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/reader", new { role = "read" }), 204);

        await Expect.StatusAsync(await AddAsync(writer, key, null), 201);
        Assert.Single(await writer.GetFromJsonAsyncOrFail<List<ProjectSshKeyView>>("/api/projects/app/ssh-keys"));

        var refused = await Expect.ProblemAsync(await reader.GetAsync("/api/projects/app/ssh-keys"), 403, ErrorCodes.Forbidden);
        Assert.Equal("You have read access to project app; to see its SSH keys you need write access. Ask a project admin.", refused.GetProperty("detail").GetString());
        await Expect.ProblemAsync(await AddAsync(reader, SshKeyFile.Generate(_keys.Path, "other"), null), 403, ErrorCodes.Forbidden);
        await Expect.ProblemAsync(await reader.DeleteAsync($"/api/projects/app/ssh-keys?fingerprint={Uri.EscapeDataString(key.Fingerprint)}"), 403, ErrorCodes.Forbidden);
        Assert.Single(await writer.GetFromJsonAsyncOrFail<List<ProjectSshKeyView>>("/api/projects/app/ssh-keys"));
    }

    private static async Task<HttpResponseMessage> AddAsync(HttpClient client, SshKeyFile key, string? host) =>
        await client.PostAsJsonAsync("/api/projects/app/ssh-keys", new AddProjectSshKeyRequest(await File.ReadAllTextAsync(key.PrivateKeyPath), host), ApiJson.Options);

    /// <summary>The MD5 fingerprint as the real ssh-keygen prints it, without its <c>MD5:</c>.</summary>
    internal static string Md5Of(SshKeyFile key) =>
        SshKeyFile.Run("ssh-keygen", ["-l", "-E", "md5", "-f", key.PrivateKeyPath + ".pub"]).Split(' ')[1]["MD5:".Length..];
}
