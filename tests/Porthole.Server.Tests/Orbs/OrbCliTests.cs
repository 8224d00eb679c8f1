using Porthole.Cli;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Orbs;

/// <summary><c>porthole orb import|fetch|list|source</c> against the real server, which fetches from a local fake registry.</summary>
public sealed class OrbCliTests : IAsyncLifetime
{
    private const string Source = "version: 2.1\ndescription: greets\ncommands:\n  greet:\n    steps:\n      - run: echo hello\n";

    private readonly TempFolder _data = new();
    private readonly TempFolder _home = new();
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
        _home.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Import_list_source_and_fetch_end_to_end()
    {
        await LoginAsync(File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim());
        var file = _home.Combine("greeter.yml");
        await File.WriteAllTextAsync(file, Source);
        _registry.Publish("circleci/node@5.9.0", "version: 2.1\ndescription: node 5.9.0\n");
        _registry.Publish("circleci/node@5.10.0", "version: 2.1\ndescription: node 5.10.0\n");

        var empty = await RunAsync("orb", "list");
        var imported = await RunAsync("orb", "import", file, "acme/greeter@1.0.0");
        var again = await RunAsync("orb", "import", file, "acme/greeter@1.0.0");
        var fetched = await RunAsync("orb", "fetch", "circleci/node@5");
        var list = await RunAsync("orb", "list");
        var json = await RunAsync("orb", "list", "--json");
        var source = await RunAsync("orb", "source", "circleci/node@5");

        Assert.Equal((0, ""), (empty.Code, empty.Err));
        Assert.StartsWith("the orb store is empty: add orbs with ", empty.Out, StringComparison.Ordinal);
        Assert.Equal((0, "imported acme/greeter@1.0.0 (87 bytes)\n", ""), imported);
        Assert.Equal((0, "acme/greeter@1.0.0 is already in the orb store with this source (87 bytes)\n", ""), again);
        Assert.Equal((0, "fetched circleci/node@5.10.0 (38 bytes) (newest for @5)\n", ""), fetched);
        var lines = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^ORB\s+VERSION\s+SIZE\s+IMPORTED$", lines[0]);
        Assert.Matches(@"^acme/greeter\s+1\.0\.0\s+87 bytes\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", lines[1]);
        Assert.Matches(@"^circleci/node\s+5\.10\.0\s+38 bytes\s+", lines[2]);
        Assert.Contains("\"reference\":\"acme/greeter@1.0.0\"", json.Out.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal((0, "version: 2.1\ndescription: node 5.10.0\n", ""), source);
    }

    [Fact]
    public async Task Refusals_are_one_line_with_the_servers_reason()
    {
        await LoginAsync(File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim());
        var file = _home.Combine("greeter.yml");
        await File.WriteAllTextAsync(file, Source);
        var changed = _home.Combine("changed.yml");
        await File.WriteAllTextAsync(changed, Source + "# changed\n");
        Assert.Equal(0, (await RunAsync("orb", "import", file, "acme/greeter@1.0.0")).Code);

        var conflict = await RunAsync("orb", "import", changed, "acme/greeter@1.0.0");
        var forced = await RunAsync("orb", "import", changed, "acme/greeter@1.0.0", "--force");
        var missing = await RunAsync("orb", "source", "acme/greeter@2");
        var notPublished = await RunAsync("orb", "fetch", "circleci/node@4.0.0");
        _registry.Answer = (503, "text/plain", "maintenance");
        var down = await RunAsync("orb", "fetch", "circleci/node@4.0.0");

        Assert.Equal(1, conflict.Code);
        Assert.Equal(
            "error: orb acme/greeter@1.0.0 is already in the store with another source. A published orb version does not change: check that the file is that version's source, or replace the stored one with --force (force=true). (orb_conflict)\n",
            conflict.Err);
        Assert.Equal((0, "imported acme/greeter@1.0.0 (97 bytes), replacing the source stored before\n"), (forced.Code, forced.Out));
        Assert.Equal(1, missing.Code);
        Assert.StartsWith("error: orb acme/greeter@2 is not in the orb store; an administrator adds it with 'porthole orb fetch acme/greeter@2'", missing.Err, StringComparison.Ordinal);
        Assert.Equal(1, notPublished.Code);
        Assert.Contains("has no orb circleci/node@4.0.0", notPublished.Err, StringComparison.Ordinal);
        Assert.EndsWith($"({OrbErrorCodes.OrbNotFound})\n", notPublished.Err, StringComparison.Ordinal);
        Assert.Equal(1, down.Code);
        Assert.Contains("answered 503", down.Err, StringComparison.Ordinal);
        Assert.Single(down.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_user_who_is_not_an_admin_reads_but_cannot_import()
    {
        await LoginAsync(await _server.CreateUserAsync("dev"));
        var file = _home.Combine("greeter.yml");
        await File.WriteAllTextAsync(file, Source);

        var refused = await RunAsync("orb", "import", file, "acme/greeter@1.0.0");
        var list = await RunAsync("orb", "list");

        Assert.Equal((1, "error: Only an administrator can add orbs to the server's orb store. (forbidden)\n"), (refused.Code, refused.Err));
        Assert.Equal(0, list.Code);
    }

    private async Task LoginAsync(string token) =>
        Assert.Equal(0, (await RunAsync("login", "--server", _server.Address.ToString(), "--token", token)).Code);

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new Dictionary<string, string> { ["PORTHOLE_CONFIG"] = _home.Combine("config.json"), ["HOME"] = _home.Path };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Cli.Cli.RunAsync(args, CliContext.Create(output, error, environment), timeout.Token);
        return (code, output.ToString(), error.ToString());
    }
}
