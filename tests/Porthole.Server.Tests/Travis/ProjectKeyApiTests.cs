using System.Net.Http.Json;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// <c>GET /api/projects/{name}/key</c> (dialects.md §B12): Travis's <c>{key, fingerprint}</c> with a 4096-bit PEM public key
/// whose fingerprint is what <c>ssh-keygen -l -E md5</c> prints for it (travis-api's <c>PrivateKey#fingerprint</c> is the
/// MD5 of the SSH form); one key per project even when the first requests race; the same key after a restart; readers
/// get it, others the 404 every project endpoint gives.
/// </summary>
public sealed class ProjectKeyApiTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _files = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".travis.yml", "language: shell\nscript: true\n"));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _files.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task The_key_is_Travis_shape_with_a_4096_bit_PEM_whose_fingerprint_ssh_keygen_computes_alike()
    {
        var response = await _server.Client.GetAsync("/api/projects/app/key");
        await Expect.StatusAsync(response, 200);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(["key", "fingerprint"], answer.RootElement.EnumerateObject().Select(p => p.Name));
        var pem = answer.RootElement.GetProperty("key").GetString()!;
        var fingerprint = answer.RootElement.GetProperty("fingerprint").GetString()!;
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", pem, StringComparison.Ordinal);
        Assert.EndsWith("-----END PUBLIC KEY-----\n", pem, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", pem, StringComparison.Ordinal);

        var pemPath = _files.Combine("app.pub.pem");
        await File.WriteAllTextAsync(pemPath, pem);
        Assert.Contains("Public-Key: (4096 bit)", SshKeyFile.Run("openssl", ["pkey", "-pubin", "-in", pemPath, "-noout", "-text"]), StringComparison.Ordinal);
        var sshPath = _files.Combine("app.pub");
        await File.WriteAllTextAsync(sshPath, SshKeyFile.Run("ssh-keygen", ["-i", "-m", "PKCS8", "-f", pemPath]));
        var listed = SshKeyFile.Run("ssh-keygen", ["-l", "-E", "md5", "-f", sshPath]).Split(' ');
        Assert.Equal(("4096", "MD5:" + fingerprint), (listed[0], listed[1]));
        Assert.Matches("^([0-9a-f]{2}:){15}[0-9a-f]{2}$", fingerprint);

        var again = await _server.Client.GetFromJsonAsyncOrFail<ProjectKeyView>("/api/projects/app/key");
        Assert.Equal((pem, fingerprint), (again.Key, again.Fingerprint));
    }

    [Fact]
    public async Task Concurrent_first_requests_all_answer_the_one_key_stored()
    {
        await _server.AddProjectAsync("race", _repository.Path);

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => _server.Client.GetFromJsonAsyncOrFail<ProjectKeyView>("/api/projects/race/key")));

        Assert.Single(answers.Select(a => (a.Key, a.Fingerprint)).Distinct());
        Assert.Equal(1, await SecureValueServer.StoredKeyCountAsync(_data.Path, "race"));
        var app = await _server.Client.GetFromJsonAsyncOrFail<ProjectKeyView>("/api/projects/app/key");
        Assert.NotEqual(answers[0].Fingerprint, app.Fingerprint);
    }

    [Fact]
    public async Task The_key_is_the_same_after_a_restart()
    {
        var before = await _server.Client.GetFromJsonAsyncOrFail<ProjectKeyView>("/api/projects/app/key");

        await _server.DisposeAsync();
        _server = await RunningServer.StartAsync(_data.Path);

        var after = await _server.Client.GetFromJsonAsyncOrFail<ProjectKeyView>("/api/projects/app/key");
        Assert.Equal((before.Key, before.Fingerprint), (after.Key, after.Fingerprint));
        Assert.Equal(1, await SecureValueServer.StoredKeyCountAsync(_data.Path, "app"));
    }

    [Fact]
    public async Task Readers_get_the_key_and_who_cannot_see_the_project_a_404()
    {
        await _server.AddProjectAsync("open", _repository.Path, "public");
        using var grace = _server.ClientFor(await _server.CreateUserAsync("grace"));
        using var anonymous = _server.ClientFor(null);

        var open = await grace.GetFromJsonAsyncOrFail<ProjectKeyView>("/api/projects/open/key");
        Assert.Equal(open, await _server.Client.GetFromJsonAsyncOrFail<ProjectKeyView>("/api/projects/open/key"));

        var hidden = await Expect.ProblemAsync(await grace.GetAsync("/api/projects/app/key"), 404, ErrorCodes.ProjectNotFound);
        Assert.Equal("There is no project named 'app' that you can see.", hidden.GetProperty("detail").GetString());
        await Expect.ProblemAsync(await _server.Client.GetAsync("/api/projects/nope/key"), 404, ErrorCodes.ProjectNotFound);
        Assert.Equal(401, (int)(await anonymous.GetAsync("/api/projects/open/key")).StatusCode);
        Assert.Equal(0, await SecureValueServer.StoredKeyCountAsync(_data.Path, "app"));
    }
}
