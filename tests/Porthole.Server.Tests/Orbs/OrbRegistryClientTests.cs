using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Pipeline.Orbs;
using Porthole.Server.Orbs;

namespace Porthole.Server.Tests.Orbs;

/// <summary>
/// <c>porthole orb fetch</c>'s registry client against a local fake answering in CircleCI's registry format: exact and
/// range references (§A4: <c>@x.y</c> latest patch, <c>@x</c> latest minor, <c>volatile</c> latest), and every way the
/// registry can fail, each a clear refusal.
/// </summary>
public sealed class OrbRegistryClientTests : IAsyncLifetime
{
    private const string NodeSource = "version: 2.1\ndescription: Node.js\ncommands:\n  install:\n    steps:\n      - run: echo install\n";

    private FakeOrbRegistry _registry = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _registry = await FakeOrbRegistry.StartAsync();
        _http = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _registry.DisposeAsync();
    }

    private OrbRegistryClient Client(TimeSpan? timeout = null, string? url = null) => new(
        _http,
        Options.Create(new OrbOptions { RegistryUrl = url ?? _registry.Url, RegistryTimeout = timeout ?? TimeSpan.FromSeconds(20) }));

    private async Task<(OrbDocument? Orb, Api.Refusal? Refusal)> FetchAsync(string reference, OrbRegistryClient? client = null)
    {
        Assert.True(OrbReference.TryParse(reference, out var parsed, out var problem), problem);
        return await (client ?? Client()).FetchAsync(parsed, CancellationToken.None);
    }

    [Fact]
    public async Task An_exact_version_is_one_orbVersion_query_as_the_circleci_cli_sends_it()
    {
        _registry.Publish("circleci/node@5.2.0", NodeSource);

        var (orb, refusal) = await FetchAsync("circleci/node@5.2.0");

        Assert.Null(refusal);
        Assert.Equal("circleci/node@5.2.0", orb?.Reference);
        Assert.Equal(NodeSource, orb?.Text);
        var (path, body) = Assert.Single(_registry.Requests);
        Assert.Equal("/graphql-unstable", path);
        Assert.Contains("orbVersion(orbVersionRef: $orbVersionRef)", body?["query"]?.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("source", body?["query"]?.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("circleci/node@5.2.0", body?["variables"]?["orbVersionRef"]?.GetValue<string>());
    }

    [Theory]
    [InlineData("circleci/node@5", "5.10.0")]
    [InlineData("circleci/node@5.9", "5.9.2")]
    [InlineData("circleci/node@volatile", "6.0.0")]
    [InlineData("circleci/node@4", "4.0.0")]
    public async Task A_range_resolves_to_the_newest_published_version_it_matches_by_number(string reference, string expected)
    {
        foreach (var version in (string[])["4.0.0", "5.9.0", "5.9.2", "5.10.0", "6.0.0"])
        {
            _registry.Publish($"circleci/node@{version}", $"version: 2.1\ndescription: node {version}\n");
        }

        var (orb, refusal) = await FetchAsync(reference);

        Assert.Null(refusal);
        Assert.Equal(expected, orb?.Version);
        Assert.Equal($"version: 2.1\ndescription: node {expected}\n", orb?.Text);
        var requests = _registry.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("circleci/node", requests[0].Body?["variables"]?["name"]?.GetValue<string>());
        Assert.Equal($"circleci/node@{expected}", requests[1].Body?["variables"]?["orbVersionRef"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_dev_version_is_fetched_exactly()
    {
        _registry.Publish("acme/tools@dev:alpha", "version: 2.1\n");

        var (orb, refusal) = await FetchAsync("acme/tools@dev:alpha");

        Assert.Null(refusal);
        Assert.Equal("acme/tools@dev:alpha", orb?.Reference);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_version_the_registry_does_not_have_is_a_404_naming_it(bool emptyObject)
    {
        _registry.Publish("circleci/node@5.2.0", NodeSource);
        _registry.EmptyObjectForMissing = emptyObject;

        var (orb, refusal) = await FetchAsync("circleci/node@5.2.1");

        Assert.Null(orb);
        Assert.Equal((404, OrbErrorCodes.OrbNotFound), (refusal?.Status, refusal?.Code));
        Assert.Contains("has no orb circleci/node@5.2.1", refusal?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_orb_the_registry_does_not_have_or_no_matching_version_is_a_404()
    {
        _registry.Publish("circleci/node@5.2.0", NodeSource);

        var (_, missing) = await FetchAsync("circleci/nope@1");
        var (_, unmatched) = await FetchAsync("circleci/node@4.1");

        Assert.Equal((404, OrbErrorCodes.OrbNotFound), (missing?.Status, missing?.Code));
        Assert.Contains("has no orb circleci/nope", missing?.Detail, StringComparison.Ordinal);
        Assert.Equal((404, OrbErrorCodes.OrbNotFound), (unmatched?.Status, unmatched?.Code));
        Assert.Contains("no version of circleci/node matching @4.1; its newest is 5.2.0", unmatched?.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, "text/plain", "upstream exploded", "answered 500 InternalServerError (upstream exploded)")]
    [InlineData(502, "text/html", "<html><body>Bad gateway</body></html>", "answered 502 BadGateway; try again")]
    [InlineData(200, "text/html", "<html>maintenance</html>", "is not JSON")]
    [InlineData(200, "application/json", "[1, 2]", "has no data")]
    [InlineData(200, "application/json", "{\"data\": {\"orbVersion\": {\"id\": \"x\", \"version\": \"5.2.0\"}}}", "has no source")]
    [InlineData(200, "application/json", "{\"data\": {\"orbVersion\": {\"id\": \"x\", \"version\": \"9.9.9\", \"source\": \"a: 1\"}}}", "answered version 9.9.9 when asked for circleci/node@5.2.0")]
    [InlineData(200, "application/json", "{\"errors\": [{\"message\": \"rate limited\\nslow down\"}]}", "refused the query: rate limited slow down")]
    public async Task A_failing_or_garbled_registry_is_a_502_saying_what_it_sent(int status, string type, string body, string said)
    {
        _registry.Answer = (status, type, body);

        var (orb, refusal) = await FetchAsync("circleci/node@5.2.0");

        Assert.Null(orb);
        Assert.Equal((502, OrbErrorCodes.OrbRegistryFailed), (refusal?.Status, refusal?.Code));
        Assert.Contains(said, refusal?.Detail, StringComparison.Ordinal);
        Assert.Contains(_registry.Url, refusal?.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version: 2.1\ncommands: [unclosed\n  x: 1\n", "malformed YAML")]
    [InlineData("- just\n- a list\n", "not a list")]
    public async Task A_source_that_is_not_an_orb_is_refused_at_its_line_and_column(string source, string said)
    {
        _registry.Publish("circleci/node@5.2.0", source);

        var (orb, refusal) = await FetchAsync("circleci/node@5.2.0");

        Assert.Null(orb);
        Assert.Equal((502, OrbErrorCodes.OrbRegistryFailed), (refusal?.Status, refusal?.Code));
        Assert.Matches(@"that is not an orb's: circleci/node@5\.2\.0:\d+:\d+: ", refusal?.Detail);
        Assert.Contains(said, refusal?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_over_the_cap_is_refused_unread()
    {
        _registry.Answer = (200, "application/json", "{\"data\": \"" + new string('x', OrbRegistryClient.MaxAnswerBytes) + "\"}");

        var (_, refusal) = await FetchAsync("circleci/node@5.2.0");

        Assert.Equal(502, refusal?.Status);
        Assert.Contains("larger than 8 MiB", refusal?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_nobody_listens_at_is_a_502_that_says_so()
    {
        var closed = $"http://127.0.0.1:{Support.FreePort.Pick()}";

        var (_, refusal) = await FetchAsync("circleci/node@5.2.0", Client(url: closed));

        Assert.Equal((502, OrbErrorCodes.OrbRegistryFailed), (refusal?.Status, refusal?.Code));
        Assert.StartsWith($"cannot reach CircleCI's orb registry at {closed}/graphql-unstable: ", refusal?.Detail, StringComparison.Ordinal);
        Assert.Contains("porthole orb import", refusal?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_in_time_is_a_502_after_the_timeout()
    {
        _registry.Publish("circleci/node@5.2.0", NodeSource);
        _registry.Delay = TimeSpan.FromSeconds(30);
        var started = TimeProvider.System.GetTimestamp();

        var (_, refusal) = await FetchAsync("circleci/node@5.2.0", Client(timeout: TimeSpan.FromSeconds(1)));

        Assert.Equal((502, OrbErrorCodes.OrbRegistryFailed), (refusal?.Status, refusal?.Code));
        Assert.Contains("gave no answer within 1 seconds", refusal?.Detail, StringComparison.Ordinal);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_base_address_may_carry_a_path()
    {
        _registry.Answer = (404, "text/plain", "404 page not found");

        var (_, refusal) = await FetchAsync("circleci/node@5.2.0", Client(url: _registry.Url + "/circleci/"));

        Assert.Equal("/circleci/graphql-unstable", Assert.Single(_registry.Requests).Path);
        Assert.Contains("answered 404 NotFound (404 page not found)", refusal?.Detail, StringComparison.Ordinal);
    }
}
