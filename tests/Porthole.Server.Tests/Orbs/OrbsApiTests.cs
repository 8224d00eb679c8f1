using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Server.Orbs;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Orbs;

/// <summary>
/// <c>/api/orbs</c> on the real server: an administrator imports and fetches, anyone signed in lists and reads; every refusal
/// is ProblemDetails with a code, never a 500.
/// </summary>
public sealed class OrbsApiTests : IAsyncLifetime
{
    private const string Source = "version: 2.1\ndescription: greets\ncommands:\n  greet:\n    steps:\n      - run: echo hello\n";

    private readonly TempFolder _data = new();
    private FakeOrbRegistry _registry = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _registry = await FakeOrbRegistry.StartAsync();
        _server = await RunningServer.StartAsync(_data.Path, new Dictionary<string, string?> { ["Porthole:Orbs:RegistryUrl"] = _registry.Url });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _registry.DisposeAsync();
        _data.Dispose();
    }

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    [Fact]
    public async Task A_store_that_cannot_be_written_refuses_the_import_with_a_reason_not_a_500()
    {
        // A file where the namespace's folder would be: creating the folder fails as a full disk or a broken store would.
        var orbs = Path.Combine(_server.DataDirectory, "orbs");
        Directory.CreateDirectory(orbs);
        await File.WriteAllTextAsync(Path.Combine(orbs, "blocked"), "not a folder");

        var problem = await Expect.ProblemAsync(await _server.Client.PutAsync("/api/orbs/blocked/greeter/1.0.0", Yaml(Source)), 507, OrbErrorCodes.OrbStoreFailed);

        Assert.Contains("could not store orb blocked/greeter@1.0.0", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _server.Client.GetFromJsonAsyncOrFail<List<OrbView>>("/api/orbs"));
    }

    private static async Task<OrbStored> StoredAsync(HttpResponseMessage response, int status)
    {
        await Expect.StatusAsync(response, status);
        return (await response.Content.ReadFromJsonAsync<OrbStored>(ApiJson.Options))!;
    }

    [Fact]
    public async Task An_admin_imports_and_anyone_signed_in_lists_and_reads_by_version_or_range()
    {
        var created = await StoredAsync(await _server.Client.PutAsync("/api/orbs/acme/greeter/1.9.0", Yaml(Source)), 201);
        await StoredAsync(await _server.Client.PutAsync("/api/orbs/acme/greeter/1.10.0", Yaml(Source + "# newer\n")), 201);
        using var reader = _server.ClientFor(await _server.CreateUserAsync("reader"));

        var list = await reader.GetFromJsonAsync<List<OrbView>>("/api/orbs", ApiJson.Options);
        var exact = await reader.GetAsync("/api/orbs/acme/greeter/1.9.0");
        var range = await reader.GetAsync("/api/orbs/acme/greeter/1");

        Assert.Equal(("acme/greeter@1.9.0", OrbOutcomes.Created, "acme/greeter@1.9.0"), (created.Orb.Reference, created.Outcome, created.Requested));
        Assert.Equal(["acme/greeter@1.9.0", "acme/greeter@1.10.0"], list!.Select(orb => orb.Reference));
        Assert.Equal(Source.Length, list![0].Size);
        await Expect.StatusAsync(exact, 200);
        Assert.Equal(Source, await exact.Content.ReadAsStringAsync());
        Assert.Equal("application/yaml", exact.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Source + "# newer\n", await range.Content.ReadAsStringAsync());
        Assert.Equal("acme/greeter@1.10.0", range.Headers.GetValues(OrbHeaders.Reference).Single());
    }

    [Fact]
    public async Task Importing_again_is_unchanged_or_a_conflict_unless_forced()
    {
        await StoredAsync(await _server.Client.PutAsync("/api/orbs/acme/greeter/1.0.0", Yaml(Source)), 201);

        var again = await StoredAsync(await _server.Client.PutAsync("/api/orbs/acme/greeter/1.0.0", Yaml(Source)), 200);
        var conflict = await _server.Client.PutAsync("/api/orbs/acme/greeter/1.0.0", Yaml(Source + "# other\n"));
        await Expect.ProblemAsync(conflict, 409, OrbErrorCodes.OrbConflict);
        var forced = await StoredAsync(await _server.Client.PutAsync("/api/orbs/acme/greeter/1.0.0?force=true", Yaml(Source + "# other\n")), 201);

        Assert.Equal(OrbOutcomes.Unchanged, again.Outcome);
        Assert.Equal(OrbOutcomes.Replaced, forced.Outcome);
        Assert.Equal(Source + "# other\n", await _server.Client.GetStringAsync("/api/orbs/acme/greeter/1.0.0"));
    }

    [Theory]
    [InlineData("version: 2.1\njobs:\n  build: {steps: [oops\n", "malformed YAML")]
    [InlineData("- a list\n", "not a list")]
    public async Task A_body_that_is_not_an_orb_is_a_400_naming_line_and_column(string text, string said)
    {
        var response = await _server.Client.PutAsync("/api/orbs/acme/greeter/1.0.0", Yaml(text));

        var problem = await Expect.ProblemAsync(response, 400, OrbErrorCodes.OrbInvalid);
        Assert.Matches(@"acme/greeter@1\.0\.0:\d+:\d+: ", problem.GetProperty("detail").GetString());
        Assert.Contains(said, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(await _server.Client.GetAsync("/api/orbs/acme/greeter/1.0.0"), 404, OrbErrorCodes.OrbNotFound);
    }

    [Fact]
    public async Task Bodies_that_are_empty_not_utf8_or_too_large_are_refused()
    {
        var empty = await _server.Client.PutAsync("/api/orbs/acme/greeter/1.0.0", Yaml(""));
        var binary = await _server.Client.PutAsync("/api/orbs/acme/greeter/1.0.0", new ByteArrayContent([0x61, 0x3a, 0x20, 0xff, 0xfe]));
        var large = await _server.Client.PutAsync("/api/orbs/acme/greeter/1.0.0", Yaml("a: " + new string('x', 2 * 1024 * 1024)));

        await Expect.ProblemAsync(empty, 400, OrbErrorCodes.OrbInvalid);
        Assert.Contains("not UTF-8", (await Expect.ProblemAsync(binary, 400, OrbErrorCodes.OrbInvalid)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(large, 413, OrbErrorCodes.OrbInvalid);
        Assert.Empty(await _server.Client.GetFromJsonAsync<List<OrbView>>("/api/orbs", ApiJson.Options) ?? []);
    }

    [Theory]
    [InlineData("/api/orbs/acme/greeter/1.2")]
    [InlineData("/api/orbs/acme/greeter/volatile")]
    public async Task A_range_cannot_be_imported(string path)
    {
        var response = await _server.Client.PutAsync(path, Yaml(Source));

        await Expect.ProblemAsync(response, 400, ErrorCodes.InvalidRequest);
    }

    [Theory]
    [InlineData("/api/orbs/Acme/greeter/1.0.0")]
    [InlineData("/api/orbs/acme/greeter/1.0.0.0")]
    [InlineData("/api/orbs/acme/greeter/latest")]
    [InlineData("/api/orbs/acme/gr%20eeter/1.0.0")]
    [InlineData("/api/orbs/acme/..%2F..%2Fetc/1.0.0")]
    public async Task A_path_that_is_not_a_reference_is_a_400_for_reading_and_writing(string path)
    {
        await Expect.ProblemAsync(await _server.Client.GetAsync(path), 400, ErrorCodes.InvalidRequest);
        await Expect.ProblemAsync(await _server.Client.PutAsync(path, Yaml(Source)), 400, ErrorCodes.InvalidRequest);
    }

    [Fact]
    public async Task Only_an_admin_writes_and_only_the_signed_in_read()
    {
        using var user = _server.ClientFor(await _server.CreateUserAsync("dev"));
        using var anonymous = _server.ClientFor(null);

        await Expect.ProblemAsync(await user.PutAsync("/api/orbs/acme/greeter/1.0.0", Yaml(Source)), 403, ErrorCodes.Forbidden);
        await Expect.ProblemAsync(await user.PostAsJsonAsync("/api/orbs/fetch", new OrbFetchRequest("acme/greeter@1.0.0"), ApiJson.Options), 403, ErrorCodes.Forbidden);
        Assert.Equal(401, (int)(await anonymous.GetAsync("/api/orbs")).StatusCode);
        Assert.Equal(401, (int)(await anonymous.GetAsync("/api/orbs/acme/greeter/1.0.0")).StatusCode);
        Assert.Empty(_registry.Requests);
    }

    [Fact]
    public async Task Fetch_stores_the_exact_version_a_range_resolves_to()
    {
        _registry.Publish("circleci/node@5.9.0", "version: 2.1\ndescription: 5.9\n");
        _registry.Publish("circleci/node@5.10.1", "version: 2.1\ndescription: 5.10.1\n");
        _registry.Publish("circleci/node@6.0.0", "version: 2.1\ndescription: 6\n");

        var fetched = await StoredAsync(await _server.Client.PostAsJsonAsync("/api/orbs/fetch", new OrbFetchRequest("circleci/node@5"), ApiJson.Options), 201);
        var exact = await StoredAsync(await _server.Client.PostAsJsonAsync("/api/orbs/fetch", new OrbFetchRequest("circleci/node@5.9.0"), ApiJson.Options), 201);
        var again = await StoredAsync(await _server.Client.PostAsJsonAsync("/api/orbs/fetch", new OrbFetchRequest("circleci/node@5.9.0"), ApiJson.Options), 200);

        Assert.Equal(("circleci/node@5.10.1", "circleci/node@5", OrbOutcomes.Created), (fetched.Orb.Reference, fetched.Requested, fetched.Outcome));
        Assert.Equal("circleci/node@5.9.0", exact.Orb.Reference);
        Assert.Equal(OrbOutcomes.Unchanged, again.Outcome);
        Assert.Equal("version: 2.1\ndescription: 5.10.1\n", await _server.Client.GetStringAsync("/api/orbs/circleci/node/5"));
        Assert.Equal(["circleci/node@5.9.0", "circleci/node@5.10.1"], (await _server.Client.GetFromJsonAsync<List<OrbView>>("/api/orbs", ApiJson.Options))!.Select(o => o.Reference));
    }

    [Fact]
    public async Task Fetch_refusals_are_problems_never_a_500()
    {
        var missing = await _server.Client.PostAsJsonAsync("/api/orbs/fetch", new OrbFetchRequest("circleci/node@5.2.0"), ApiJson.Options);
        var noReference = await _server.Client.PostAsJsonAsync("/api/orbs/fetch", new { }, ApiJson.Options);
        var badReference = await _server.Client.PostAsJsonAsync("/api/orbs/fetch", new OrbFetchRequest("circleci/node"), ApiJson.Options);
        var notJson = await _server.Client.PostAsync("/api/orbs/fetch", new StringContent("circleci/node@1", Encoding.UTF8, "application/json"));
        _registry.Answer = (500, "text/plain", "down for maintenance");
        var down = await _server.Client.PostAsJsonAsync("/api/orbs/fetch", new OrbFetchRequest("circleci/node@5.2.0"), ApiJson.Options);
        _registry.Answer = (200, "text/html", "<html>captive portal</html>");
        var garbage = await _server.Client.PostAsJsonAsync("/api/orbs/fetch", new OrbFetchRequest("circleci/node@5"), ApiJson.Options);

        await Expect.ProblemAsync(missing, 404, OrbErrorCodes.OrbNotFound);
        await Expect.ProblemAsync(noReference, 400, ErrorCodes.InvalidRequest);
        Assert.Contains("not an orb reference", (await Expect.ProblemAsync(badReference, 400, ErrorCodes.InvalidRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(notJson, 400, ErrorCodes.InvalidRequest);
        Assert.Contains("answered 500", (await Expect.ProblemAsync(down, 502, OrbErrorCodes.OrbRegistryFailed)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("not JSON", (await Expect.ProblemAsync(garbage, 502, OrbErrorCodes.OrbRegistryFailed)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _server.Client.GetFromJsonAsync<List<OrbView>>("/api/orbs", ApiJson.Options) ?? []);
    }

    [Fact]
    public async Task Fetching_a_version_stored_with_another_source_is_a_conflict_unless_forced()
    {
        await StoredAsync(await _server.Client.PutAsync("/api/orbs/circleci/node/5.2.0", Yaml(Source)), 201);
        _registry.Publish("circleci/node@5.2.0", "version: 2.1\ndescription: published\n");

        var conflict = await _server.Client.PostAsJsonAsync("/api/orbs/fetch", new OrbFetchRequest("circleci/node@5.2.0"), ApiJson.Options);
        var forced = await StoredAsync(await _server.Client.PostAsJsonAsync("/api/orbs/fetch", new OrbFetchRequest("circleci/node@5.2.0", Force: true), ApiJson.Options), 201);

        await Expect.ProblemAsync(conflict, 409, OrbErrorCodes.OrbConflict);
        Assert.Equal(OrbOutcomes.Replaced, forced.Outcome);
        Assert.Equal("version: 2.1\ndescription: published\n", await _server.Client.GetStringAsync("/api/orbs/circleci/node/5.2.0"));
    }

    [Fact]
    public async Task Reading_the_store_never_asks_the_registry()
    {
        _registry.Publish("circleci/node@5.2.0", Source);

        await Expect.ProblemAsync(await _server.Client.GetAsync("/api/orbs/circleci/node/5.2.0"), 404, OrbErrorCodes.OrbNotFound);
        await Expect.ProblemAsync(await _server.Client.GetAsync("/api/orbs/circleci/node/volatile"), 404, OrbErrorCodes.OrbNotFound);

        Assert.Empty(_registry.Requests);
    }
}
