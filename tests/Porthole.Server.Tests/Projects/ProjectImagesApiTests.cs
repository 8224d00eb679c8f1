using System.Net.Http.Json;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Projects;

/// <summary>
/// A project's image table through the real API (issue 13): <c>GET</c> for its readers, <c>PUT</c> of the whole table for
/// its admins; a key is a travis-build language or service name with an optional version, a value a Docker image
/// reference. Every bad entry is a 400 naming it, and nothing of the table is lost by a refused <c>PUT</c>.
/// </summary>
public sealed class ProjectImagesApiTests : IAsyncLifetime
{
    private const string Path = "/api/projects/app/images";

    private readonly TempFolder _data = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(_data.Path);

        // The table is about the project's settings only: no pipeline runs, so the repository need not exist.
        await _server.AddProjectAsync("app", "/nonexistent/app");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_new_project_has_an_empty_table_and_a_put_replaces_it_whole()
    {
        Assert.Empty((await GetAsync(_server.Client)).Images);

        var first = await PutAsync(_server.Client, new Dictionary<string, string?>
        {
            ["python 3.8"] = "registry.example/python:3.8",
            ["redis"] = "redis:7",
            ["ruby ruby-head"] = "localhost:5000/team/ruby@sha256:" + new string('a', 64),
            ["node_js"] = "node",
            ["postgresql 9.6"] = "Registry.Example:443/pg/postgres:9.6-alpine",
            ["php 8.*"] = "php:8-cli",
        });
        Assert.Equal(
            ["node_js", "php 8.*", "postgresql 9.6", "python 3.8", "redis", "ruby ruby-head"],
            first.Images.Keys);
        Assert.Equal("registry.example/python:3.8", first.Images["python 3.8"]);
        Assert.Equal(first.Images, (await GetAsync(_server.Client)).Images);

        // The body is the whole table: what it leaves out is gone.
        var second = await PutAsync(_server.Client, new Dictionary<string, string?> { ["redis"] = "redis:6" });
        Assert.Equal([("redis", "redis:6")], second.Images.Select(e => (e.Key, e.Value)));
        Assert.Equal([("redis", "redis:6")], (await GetAsync(_server.Client)).Images.Select(e => (e.Key, e.Value)));

        // An empty map clears it.
        Assert.Empty((await PutAsync(_server.Client, [])).Images);
        Assert.Empty((await GetAsync(_server.Client)).Images);
    }

    [Theory]
    [InlineData("Python 3.8", "python:3.8")] // names are lower case, as travis-build's are
    [InlineData("python  3.8", "python:3.8")] // one space, not two
    [InlineData(" python", "python:3.8")]
    [InlineData("python 3.8 extra", "python:3.8")] // one version at most
    [InlineData("python ", "python:3.8")]
    [InlineData("", "python:3.8")]
    [InlineData("3python", "python:3.8")]
    [InlineData("python -3", "python:3.8")] // a version starts with a letter or digit
    [InlineData("python 3.8\n", "python:3.8")]
    [InlineData("python", "")]
    [InlineData("python", "Python:3.8")] // a repository is lower case
    [InlineData("python", "python:3.8 --privileged")]
    [InlineData("python", "python:3.8\n")]
    [InlineData("python", "python::3.8")]
    [InlineData("python", "-python")]
    [InlineData("python", "python@sha256:abc")] // a digest has 32 hex digits at least
    [InlineData("python", "/python")]
    [InlineData("python", "python:.8")]
    public async Task A_bad_entry_is_refused_with_a_400_naming_it_and_the_table_stays(string key, string image)
    {
        await PutAsync(_server.Client, new Dictionary<string, string?> { ["redis"] = "redis:7" });

        var problem = await Expect.ProblemAsync(
            await _server.Client.PutAsJsonAsync(Path, new ProjectImagesRequest(new Dictionary<string, string?> { ["ruby 3.3"] = "ruby:3.3", [key] = image }), ApiJson.Options),
            400,
            ErrorCodes.InvalidRequest);

        Assert.Equal(key, problem.GetProperty("entry").GetString());
        Assert.Contains($"'{key}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal([("redis", "redis:7")], (await GetAsync(_server.Client)).Images.Select(e => (e.Key, e.Value)));
    }

    [Fact]
    public async Task A_null_image_and_keys_that_differ_only_in_case_are_refused()
    {
        var nullImage = await Expect.ProblemAsync(await PutJsonAsync("""{"images": {"redis": null}}"""), 400, ErrorCodes.InvalidRequest);
        Assert.Equal("The entry 'redis' has no image: give an image reference such as python:3.8 or registry.example/redis:7.", nullImage.GetProperty("detail").GetString());

        // The runner compares keys ignoring case, so two such entries would be one of them at random.
        var twice = await Expect.ProblemAsync(await PutJsonAsync("""{"images": {"ruby ruby-head": "a:1", "ruby RUBY-HEAD": "b:1"}}"""), 400, ErrorCodes.InvalidRequest);
        Assert.Equal("ruby RUBY-HEAD", twice.GetProperty("entry").GetString());
        Assert.Empty((await GetAsync(_server.Client)).Images);
    }

    [Fact]
    public async Task Two_hundred_entries_are_accepted_and_two_hundred_and_one_refused()
    {
        var full = Enumerable.Range(0, ProjectImageRules.MaxEntries).ToDictionary(i => $"python 3.{i}", i => (string?)$"python:3.{i}");
        Assert.Equal(200, (await PutAsync(_server.Client, full)).Images.Count);

        full["ruby"] = "ruby:3";
        var problem = await Expect.ProblemAsync(await _server.Client.PutAsJsonAsync(Path, new ProjectImagesRequest(full), ApiJson.Options), 400, ErrorCodes.InvalidRequest);
        Assert.Equal("The table has 201 entries; a project's image table holds at most 200.", problem.GetProperty("detail").GetString());
        Assert.Equal(200, (await GetAsync(_server.Client)).Images.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("""{"images": null}""")]
    [InlineData("""{"images": 5}""")]
    [InlineData("""{"images": "python 3.8=python:3.8"}""")]
    [InlineData("""{"images": ["python:3.8"]}""")]
    [InlineData("""{"images": {"python": 5}}""")]
    [InlineData("""{"images": {"python": {"image": "python:3.8"}}}""")]
    [InlineData("""{"images": {"python": ["python:3.8"]}}""")]
    [InlineData("[1, 2]")]
    [InlineData("not json")]
    [InlineData("""{"images": {"python": "python:3.8" """)]
    public async Task A_missing_or_malformed_body_is_a_400_never_a_500(string body)
    {
        await Expect.ProblemAsync(await PutJsonAsync(body), 400, ErrorCodes.InvalidRequest);
        Assert.Empty((await GetAsync(_server.Client)).Images);
    }

    [Fact]
    public async Task Huge_and_deeply_nested_bodies_are_a_400_never_a_500()
    {
        var hugeKey = await Expect.ProblemAsync(
            await PutJsonAsync(Body(new string('a', 2_000_000), "python:3.8")), 400, ErrorCodes.InvalidRequest);
        Assert.True(hugeKey.GetProperty("detail").GetString()!.Length < 400, "the detail quotes a shortened key");

        await Expect.ProblemAsync(
            await PutJsonAsync(Body("python", "python:" + new string('3', 2_000_000))), 400, ErrorCodes.InvalidRequest);
        var many = string.Join(",", Enumerable.Range(0, 50_000).Select(i => $"\"k{i}\": \"i:{i}\""));
        await Expect.ProblemAsync(await PutJsonAsync("{\"images\": {" + many + "}}"), 400, ErrorCodes.InvalidRequest);
        await Expect.ProblemAsync(await PutJsonAsync("{\"images\": " + new string('[', 10_000) + new string(']', 10_000) + "}"), 400, ErrorCodes.InvalidRequest);

        // A long image made of valid parts is refused by its length, not by time spent matching it.
        var started = TimeProvider.System.GetTimestamp();
        await Expect.ProblemAsync(
            await PutJsonAsync(Body("python", string.Concat(Enumerable.Repeat("a-", 250)) + "!")), 400, ErrorCodes.InvalidRequest);
        await Expect.ProblemAsync(
            await PutJsonAsync(Body("python", string.Concat(Enumerable.Repeat("a.", 250)) + "!")), 400, ErrorCodes.InvalidRequest);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
        Assert.Empty((await GetAsync(_server.Client)).Images);
    }

    [Fact]
    public async Task Readers_see_the_table_only_admins_change_it_and_strangers_do_not_see_the_project()
    {
        await PutAsync(_server.Client, new Dictionary<string, string?> { ["redis"] = "redis:7" });
        using var reader = await MemberAsync("reader", "read");
        using var writer = await MemberAsync("writer", "write");
        using var projectAdmin = await MemberAsync("owner", "admin");
        using var stranger = _server.ClientFor(await _server.CreateUserAsync("stranger"));
        var change = new Dictionary<string, string?> { ["redis"] = "redis:6" };

        Assert.Equal("redis:7", (await GetAsync(reader)).Images["redis"]);
        Assert.Equal("redis:7", (await GetAsync(writer)).Images["redis"]);
        var refused = await Expect.ProblemAsync(await reader.PutAsJsonAsync(Path, new ProjectImagesRequest(change), ApiJson.Options), 403, ErrorCodes.Forbidden);
        Assert.Contains("to change its image table you need admin access", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(await writer.PutAsJsonAsync(Path, new ProjectImagesRequest(change), ApiJson.Options), 403, ErrorCodes.Forbidden);
        await Expect.ProblemAsync(await stranger.GetAsync(Path), 404, ErrorCodes.ProjectNotFound);
        await Expect.ProblemAsync(await stranger.PutAsJsonAsync(Path, new ProjectImagesRequest(change), ApiJson.Options), 404, ErrorCodes.ProjectNotFound);
        Assert.Equal("redis:7", (await GetAsync(_server.Client)).Images["redis"]);

        Assert.Equal("redis:6", (await PutAsync(projectAdmin, change)).Images["redis"]);
    }

    [Fact]
    public async Task An_unknown_project_or_no_token_is_refused()
    {
        await Expect.ProblemAsync(await _server.Client.GetAsync("/api/projects/nope/images"), 404, ErrorCodes.ProjectNotFound);
        await Expect.ProblemAsync(
            await _server.Client.PutAsJsonAsync("/api/projects/nope/images", new ProjectImagesRequest(new Dictionary<string, string?> { ["redis"] = "redis:7" }), ApiJson.Options),
            404,
            ErrorCodes.ProjectNotFound);
        using var anonymous = _server.ClientFor(null);
        await Expect.ProblemAsync(await anonymous.GetAsync(Path), 401, ErrorCodes.Unauthorized);
    }

    private static async Task<ProjectImagesView> GetAsync(HttpClient client) => await client.GetFromJsonAsyncOrFail<ProjectImagesView>(Path);

    private static async Task<ProjectImagesView> PutAsync(HttpClient client, Dictionary<string, string?> images)
    {
        var response = await client.PutAsJsonAsync(Path, new ProjectImagesRequest(images), ApiJson.Options);
        await Expect.StatusAsync(response, 200);
        return (await response.Content.ReadFromJsonAsync<ProjectImagesView>(ApiJson.Options))!;
    }

    private static string Body(string key, string image) => "{\"images\": {\"" + key + "\": \"" + image + "\"}}";

    private async Task<HttpResponseMessage> PutJsonAsync(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await _server.Client.PutAsync(Path, content);
    }

    private async Task<HttpClient> MemberAsync(string name, string role)
    {
        var client = _server.ClientFor(await _server.CreateUserAsync(name));
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync($"/api/projects/app/members/{name}", new { role }), 204);
        return client;
    }
}
