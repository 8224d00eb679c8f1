using System.Net.Http.Json;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// Who may point Porthole at what: a URL git clones is anyone's, a path on the server a server admin's (or anyone's under
/// LocalRepositoryRoots), the data folder and git's remote helpers no one's; and no refusal or clone error tells a user
/// what is on the server's disk.
/// </summary>
public sealed class RepositoryAccessTests : IAsyncLifetime
{
    private const string NotAllowed = "repository_not_allowed";

    private const string Config = """
        version: 2
        jobs:
          build:
            steps:
              - run: echo built
        workflows:
          w:
            jobs: [build]
        """;

    private readonly TempFolder _data = new();
    private readonly TempFolder _roots = new();
    private readonly TempFolder _elsewhere = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;
    private HttpClient _bob = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await RunningServer.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Porthole:LocalRepositoryRoots:0"] = _roots.Path,
        });
        _bob = _server.ClientFor(await _server.CreateUserAsync("bob"));
    }

    public async Task DisposeAsync()
    {
        _bob.Dispose();
        await _server.DisposeAsync();
        _repository.Dispose();
        _elsewhere.Dispose();
        _roots.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_non_admin_gets_one_refusal_for_every_local_path_whether_it_exists_or_not()
    {
        // The admin's private project, fetched once: its mirror is the server's DATA/repos/ID.git.
        await _server.AddProjectAsync("secret-app", _repository.Path);
        await _server.TriggerAsync("secret-app");
        var mirror = Assert.Single(Directory.GetDirectories(Path.Combine(_data.Path, "repos")));

        string[] paths =
        [
            mirror,
            _data.Path,
            _repository.Path,
            "/etc",
            "/nonexistent/porthole/repository",
            "file:///etc",
            "file:///nonexistent/porthole/repository",
            "../etc",
            "relative/path",
            Path.Combine(_roots.Path, "..", "etc"),
        ];
        var answers = new List<string>();
        foreach (var path in paths)
        {
            var response = await CreateAsync(_bob, "bobs", path);
            var problem = await Expect.ProblemAsync(response, 403, NotAllowed);
            Assert.StartsWith("Only server admins may use a local path as a repository", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            answers.Add(WithoutTraceId(await response.Content.ReadAsStringAsync()));
        }

        Assert.All(answers, answer => Assert.Equal(answers[0], answer));
        Assert.DoesNotContain("/etc", answers[0], StringComparison.Ordinal);
        await Expect.ProblemAsync(await _bob.GetAsync("/api/projects/bobs"), 404, ErrorCodes.ProjectNotFound);
    }

    [Fact]
    public async Task A_non_admin_may_give_urls_git_clones_from_elsewhere()
    {
        string[] urls =
        [
            "https://git.example.com/team/app.git",
            "http://git.example.com/team/app.git",
            "ssh://git@git.example.com:2222/team/app.git",
            "git://git.example.com/team/app.git",
            "git@github.com:team/app.git",
            "github.com:team/app.git",
        ];
        for (var i = 0; i < urls.Length; i++)
        {
            await Expect.StatusAsync(await CreateAsync(_bob, $"remote-{i}", urls[i]), 201);
        }
    }

    [Fact]
    public async Task An_admin_may_use_a_local_path_outside_the_data_folder()
    {
        await Expect.StatusAsync(await CreateAsync(_server.Client, "app", _repository.Path), 201);
        await Expect.StatusAsync(await CreateAsync(_server.Client, "not-yet", "/nonexistent/porthole/repository"), 201);
        var pipeline = await _server.TriggerAsync("app");
        Assert.Equal(Status.Success, (await _server.WaitForPipelineAsync(pipeline.Id)).Status);
    }

    [Fact]
    public async Task The_data_folder_is_refused_even_to_an_admin()
    {
        await _server.AddProjectAsync("app", _repository.Path);
        await _server.TriggerAsync("app");
        var mirror = Assert.Single(Directory.GetDirectories(Path.Combine(_data.Path, "repos")));
        var intoData = Path.Combine(_elsewhere.Path, "mirror-link");
        File.CreateSymbolicLink(intoData, mirror);
        var besideMirror = Path.Combine(_elsewhere.Path, "beside");
        File.CreateSymbolicLink(besideMirror + ".git", mirror);

        // The folder, a mirror in it, a path that leads there by '..', by a link, or by a name git tries (PATH.git).
        string[] paths =
        [
            _data.Path,
            mirror,
            mirror[..^".git".Length],
            "file://" + mirror,
            Path.Combine(_repository.Path, "..", Path.GetFileName(_data.Path), "repos"),
            intoData,
            besideMirror,
        ];
        foreach (var path in paths)
        {
            var problem = await Expect.ProblemAsync(await CreateAsync(_server.Client, "mirror", path), 400, NotAllowed);
            Assert.Contains("data folder", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var relative = await Expect.ProblemAsync(await CreateAsync(_server.Client, "mirror", "repos/1.git"), 400, NotAllowed);
        Assert.Contains("absolute path", relative.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_LocalRepositoryRoots_a_path_is_anyones_but_escapes_from_there_are_refused()
    {
        var inside = Path.Combine(_roots.Path, "app.git");
        _repository.Run("clone", "--quiet", "--bare", _repository.Path, inside);
        await Expect.StatusAsync(await CreateAsync(_bob, "bobs", inside), 201);
        var pipeline = (await (await _bob.PostAsJsonAsync("/api/projects/bobs/pipelines", new TriggerRequest(null, null), ApiJson.Options)).Content
            .ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;
        Assert.Equal(Status.Success, (await _server.WaitForPipelineAsync(pipeline.Id)).Status);

        // Out of the root by '..', by a link to another folder (a repository, /etc, the data folder), or by the
        // PATH.git name git tries when PATH does not exist: the same answer as for any path outside.
        File.CreateSymbolicLink(Path.Combine(_roots.Path, "to-elsewhere"), _repository.Path);
        File.CreateSymbolicLink(Path.Combine(_roots.Path, "to-etc"), "/etc");
        File.CreateSymbolicLink(Path.Combine(_roots.Path, "to-data"), _data.Path);
        File.CreateSymbolicLink(Path.Combine(_roots.Path, "missing.git"), _repository.Path);
        Directory.CreateDirectory(Path.Combine(_roots.Path, "sub"));
        string[] escapes =
        [
            Path.Combine(_roots.Path, "..", Path.GetFileName(_elsewhere.Path)),
            Path.Combine(_roots.Path, "sub", "..", "..", "etc"),
            Path.Combine(_roots.Path, "to-elsewhere"),
            Path.Combine(_roots.Path, "to-etc"),
            Path.Combine(_roots.Path, "to-data", "repos"),
            Path.Combine(_roots.Path, "missing"),
            _elsewhere.Path,
        ];
        var answers = new List<string>();
        foreach (var path in escapes)
        {
            var response = await CreateAsync(_bob, "escape", path);
            await Expect.ProblemAsync(response, 403, NotAllowed);
            answers.Add(WithoutTraceId(await response.Content.ReadAsStringAsync()));
        }

        Assert.All(answers, answer => Assert.Equal(answers[0], answer));

        // '..' that stays inside is fine.
        await Expect.StatusAsync(await CreateAsync(_bob, "inside", Path.Combine(_roots.Path, "sub", "..", "app.git")), 201);
    }

    [Theory]
    [InlineData("ext::sh -c touch% /tmp/porthole-ext-pwned")]
    [InlineData("fd::3")]
    [InlineData("ext::sh -c echo% hi")]
    [InlineData("file::/etc")]
    [InlineData("ftp://git.example.com/app.git")]
    [InlineData("foo://git.example.com/app.git")]
    [InlineData("HTTPS://git.example.com/app.git")]
    [InlineData("ssh://-oProxyCommand=touch%20x/app.git")]
    [InlineData("ssh://-oProxyCommand=x@host/app.git")]
    [InlineData("https:///app.git")]
    [InlineData("-oProxyCommand=x:app.git")]
    public async Task Remote_helpers_and_other_transports_are_refused_to_everyone(string repository)
    {
        foreach (var client in (HttpClient[])[_server.Client, _bob])
        {
            var response = await CreateAsync(client, "helper", repository);
            var problem = await Expect.ProblemAsync(response, 400, repository.StartsWith('-') ? ErrorCodes.InvalidRequest : NotAllowed);
            Assert.DoesNotContain("Only server admins", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.False(File.Exists("/tmp/porthole-ext-pwned"));
    }

    [Fact]
    public async Task A_local_repository_that_cannot_be_cloned_says_nothing_about_the_servers_files()
    {
        // The admin's projects, which bob may trigger: a path that exists but is no repository, and one that does not exist.
        var answers = new List<string>();
        foreach (var (name, path) in new[] { ("etc", "/etc"), ("nowhere", "/nonexistent/porthole/repository") })
        {
            await _server.AddProjectAsync(name, path);
            await Expect.StatusAsync(await _server.Client.PutAsJsonAsync($"/api/projects/{name}/members/bob", new { role = "write" }), 204);
            var problem = await Expect.ProblemAsync(
                await _bob.PostAsJsonAsync($"/api/projects/{name}/pipelines", new TriggerRequest(null, null), ApiJson.Options), 422, ErrorCodes.RepositoryUnreachable);
            answers.Add(problem.GetProperty("detail").GetString()!.Replace(path, "PATH", StringComparison.Ordinal));
        }

        Assert.Equal("cannot clone 'PATH': git cannot read it as a repository on the server (a server admin finds git's message in the server's log).", answers[0]);
        Assert.Equal(answers[0], answers[1]);
    }

    [Fact]
    public async Task A_relative_LocalRepositoryRoots_folder_stops_the_server_at_start()
    {
        using var data = new TempFolder();
        var refused = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => RunningServer.StartAsync(
            data.Path, new Dictionary<string, string?> { ["Porthole:LocalRepositoryRoots:0"] = "srv/git" }));
        Assert.Contains("LocalRepositoryRoots: 'srv/git' is not an absolute path", refused.Message, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> CreateAsync(HttpClient client, string name, string repository) =>
        client.PostAsJsonAsync("/api/projects", new CreateProjectRequest(name, repository, null), ApiJson.Options);

    /// <summary>The answer byte for byte as sent, but for the request's own trace id.</summary>
    private static string WithoutTraceId(string body)
    {
        var traceId = JsonDocument.Parse(body).RootElement.GetProperty("trace_id").GetString()!;
        return body.Replace(traceId, "TRACE-ID", StringComparison.Ordinal);
    }
}
