using System.Net.Http.Json;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>SSH keys through the API (R-KEY-1, R-KEY-2), checked against the real ssh-keygen.</summary>
public sealed class KeysApiTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _keys = new();
    private FakeKeyHost _keyHost = null!;
    private RunningServer _server = null!;
    private SshKeyFile _ed25519 = null!;
    private SshKeyFile _rsa1024 = null!;

    public async Task InitializeAsync()
    {
        _ed25519 = SshKeyFile.Generate(_keys.Path, "imported");
        _rsa1024 = SshKeyFile.Generate(_keys.Path, "weak", "rsa", 1024);
        _keyHost = new FakeKeyHost(new Dictionary<string, string>
        {
            ["/alice.keys"] = $"{_ed25519.PublicLine}\n{_rsa1024.PublicLine}\n",
            ["/2.0/users/bob/ssh-keys"] = JsonSerializer.Serialize(new { values = new[] { new { key = SshKeyFile.Generate(_keys.Path, "bb").PublicLine } } }),
        });
        _server = await RunningServer.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Porthole:GitHubKeysBase"] = _keyHost.BaseAddress,
            ["Porthole:GitLabKeysBase"] = _keyHost.BaseAddress,
            ["Porthole:BitbucketKeysBase"] = _keyHost.BaseAddress,
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _keyHost.DisposeAsync();
        _keys.Dispose();
        _data.Dispose();
    }

    [Theory]
    [InlineData("ed25519", null)]
    [InlineData("ecdsa", 256)]
    [InlineData("ecdsa", 521)]
    [InlineData("rsa", 3072)]
    public async Task A_valid_key_is_added_with_ssh_keygens_fingerprint_listed_and_removed(string type, int? bits)
    {
        var key = SshKeyFile.Generate(_keys.Path, $"k-{type}-{bits}", type, bits);
        var response = await _server.Client.PostAsJsonAsync("/api/users/me/keys", new AddKeyRequest(key.PublicLine, "laptop"), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        var view = (await response.Content.ReadFromJsonAsync<SshKeyView>(ApiJson.Options))!;
        Assert.Equal(key.Fingerprint, view.Fingerprint);
        Assert.Contains(key.Fingerprint, await _server.Client.GetStringAsync("/api/users/me/keys"));

        var removed = await _server.Client.DeleteAsync($"/api/users/me/keys?fingerprint={Uri.EscapeDataString(key.Fingerprint)}");
        await Expect.StatusAsync(removed, 204);
        Assert.DoesNotContain(key.Fingerprint, await _server.Client.GetStringAsync("/api/users/me/keys"));
    }

    [Fact]
    public async Task Bad_keys_are_refused_with_the_reason()
    {
        var privateKey = await File.ReadAllTextAsync(_ed25519.PrivateKeyPath);
        var cases = new (string Text, string Reason)[]
        {
            (_rsa1024.PublicLine, "2048"),
            ("garbage that is not a key", ""),
            (privateKey, "private key"),
            ("no-pty " + _ed25519.PublicLine, "option"),
            ("just a comment", ""),
            ("", ""),
        };
        foreach (var (text, reason) in cases)
        {
            var response = await _server.Client.PostAsJsonAsync("/api/users/me/keys", new AddKeyRequest(text, null), ApiJson.Options);
            var problem = await Expect.ProblemAsync(response, 400, ErrorCodes.InvalidKey);
            Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("BEGIN OPENSSH PRIVATE KEY", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("[]", await _server.Client.GetStringAsync("/api/users/me/keys"));
    }

    [Fact]
    public async Task A_key_belongs_to_one_user_only()
    {
        var key = SshKeyFile.Generate(_keys.Path, "shared");
        await _server.Client.AddKeyAsync(key);
        var other = _server.ClientFor(await _server.CreateUserAsync("other"));
        var problem = await Expect.ProblemAsync(await other.PostAsJsonAsync("/api/users/me/keys", new AddKeyRequest(key.PublicLine, null), ApiJson.Options), 409, ErrorCodes.KeyTaken);
        Assert.Contains("another user", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Keys_are_imported_from_a_code_hosts_listing_and_bad_ones_skipped_with_the_reason()
    {
        var response = await _server.Client.PostAsJsonAsync("/api/users/me/keys/import", new ImportKeysRequest("github:alice"), ApiJson.Options);
        await Expect.StatusAsync(response, 200);
        var result = (await response.Content.ReadFromJsonAsync<ImportKeysResult>(ApiJson.Options))!;
        Assert.Equal(_ed25519.Fingerprint, Assert.Single(result.Added).Fingerprint);
        Assert.Contains("2048", Assert.Single(result.Skipped).Reason, StringComparison.Ordinal);

        response = await _server.Client.PostAsJsonAsync("/api/users/me/keys/import", new ImportKeysRequest("bitbucket:bob"), ApiJson.Options);
        await Expect.StatusAsync(response, 200);
        Assert.Single((await response.Content.ReadFromJsonAsync<ImportKeysResult>(ApiJson.Options))!.Added);

        await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync("/api/users/me/keys/import", new ImportKeysRequest("gitlab:nobody"), ApiJson.Options), 422, ErrorCodes.KeyImportFailed);
        await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync("/api/users/me/keys/import", new ImportKeysRequest("github:../../etc/passwd"), ApiJson.Options), 422, ErrorCodes.KeyImportFailed);
        await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync("/api/users/me/keys/import", new ImportKeysRequest("ftp:alice"), ApiJson.Options), 422, ErrorCodes.KeyImportFailed);
    }
}
