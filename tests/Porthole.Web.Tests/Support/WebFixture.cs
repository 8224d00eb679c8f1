using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Porthole.Cli.Hosting;
using Porthole.Server;
using Porthole.Server.Tests.Support;

namespace Porthole.Web.Tests.Support;

/// <summary>
/// The real server (built-in runner, SQLite in a temporary data folder) on a free loopback port, and one headless
/// Chromium, both started once for every test of the "web" collection. Each test opens its own browser context
/// (its own cookies) with <see cref="NewPageAsync"/> or <see cref="SignedInPageAsync"/>, so tests never depend on
/// each other.
/// </summary>
public sealed class WebFixture : IAsyncLifetime
{
    private readonly TempFolder _data = new("porthole-web-test-");
    private readonly List<IBrowserContext> _contexts = [];
    private readonly ConcurrentDictionary<string, string> _keyLists = new(StringComparer.Ordinal);
    private FakeKeyHost? _keyHost;
    private EmbeddedServer? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public Uri Address { get; private set; } = null!;

    public string DataDirectory => _data.Path;

    /// <summary>The admin's personal token (DATA/admin-token).</summary>
    public string AdminToken { get; private set; } = "";

    public IServiceProvider Services => _server!.Services;

    public IBrowser Browser => _browser!;

    /// <summary>
    /// What the server's GitHub, GitLab and Bitbucket (one fake on loopback) list, by path: a test adds its own account's
    /// keys, e.g. <c>["/someone.keys"] = "ssh-ed25519 …"</c>, before importing them.
    /// </summary>
    public ConcurrentDictionary<string, string> KeyLists => _keyLists;

    public async Task InitializeAsync()
    {
        Address = new Uri($"http://127.0.0.1:{FreePort()}");
        _keyHost = new FakeKeyHost(_keyLists);
        _server = await EmbeddedServer.StartAsync(
            new ServerHostOptions(_data.Path, Address.ToString().TrimEnd('/'), Demo: false, new Dictionary<string, string?>
            {
                ["Runner:HeartbeatInterval"] = "00:00:00.200",

                // A node ends as its last session closes (CircleCI's rule; the grace period's tests are the server's).
                ["Porthole:SshGracePeriod"] = "00:00:00",
                ["Runner:LogFlushInterval"] = "00:00:00.050",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Porthole:GitHubKeysBase"] = _keyHost.BaseAddress,
                ["Porthole:GitLabKeysBase"] = _keyHost.BaseAddress,
                ["Porthole:BitbucketKeysBase"] = _keyHost.BaseAddress,
            }),
            CancellationToken.None);
        AdminToken = (await File.ReadAllTextAsync(Path.Combine(_data.Path, "admin-token"))).Trim();
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    /// <summary>A page in a new, empty browser context (signed out), with relative URLs resolved against the server.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Address.ToString() });
        context.SetDefaultTimeout(15_000);
        lock (_contexts)
        {
            _contexts.Add(context);
        }

        return await context.NewPageAsync();
    }

    /// <summary>A page signed in through the sign-in form (as the admin unless another token is given), on /projects.</summary>
    public async Task<IPage> SignedInPageAsync(string? token = null)
    {
        var page = await NewPageAsync();
        await SignInAsync(page, token ?? AdminToken);
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(Address, "/projects").ToString());
        return page;
    }

    /// <summary>Fills in and sends the sign-in form; the caller waits for where it lands (Expect(page).ToHaveURLAsync, …).</summary>
    public static async Task SignInAsync(IPage page, string token, string? returnUrl = null)
    {
        await page.GotoAsync(returnUrl is null ? "/sign-in" : $"/sign-in?returnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.GetByLabel("Personal token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Closes the test's browser contexts; the browser and server stay for the next test.</summary>
    public async Task CloseContextsAsync()
    {
        IBrowserContext[] contexts;
        lock (_contexts)
        {
            contexts = [.. _contexts];
            _contexts.Clear();
        }

        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await CloseContextsAsync();
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.StopAsync();
        }

        if (_keyHost is not null)
        {
            await _keyHost.DisposeAsync();
        }

        _data.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebFixture>
{
    public const string Name = "web";
}
