using System.Net;
using Microsoft.Playwright;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

public sealed class StaticAssetsTests(WebFixture web) : WebTest(web)
{
    [Theory]
    [InlineData("/static/xterm/xterm.js", "text/javascript", "Terminal")]
    [InlineData("/static/xterm/addon-fit.js", "text/javascript", "FitAddon")]
    [InlineData("/static/xterm/xterm.css", "text/css", ".xterm")]
    [InlineData("/static/asciinema/asciinema-player.min.js", "text/javascript", "AsciinemaPlayer")]
    [InlineData("/static/asciinema/asciinema-player.css", "text/css", ".ap-term")]
    [InlineData("/static/asciinema/LICENSE.txt", "text/plain", "Apache License")]
    [InlineData("/static/porthole.css", "text/css", "--focus")]
    [InlineData("/static/porthole.js", "text/javascript", "porthole")]
    public async Task Static_files_are_served_from_the_assembly_with_their_type_and_cache_headers(string path, string type, string content)
    {
        using var client = new HttpClient { BaseAddress = Web.Address };
        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(content, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task A_page_links_its_assets_with_a_version_that_is_cached_for_long()
    {
        var page = await Web.NewPageAsync();
        var css = page.WaitForResponseAsync(r => r.Url.Contains("/static/porthole.css?v=", StringComparison.Ordinal));
        await page.GotoAsync("/sign-in");
        var response = await css;

        Assert.Equal(200, response.Status);
        Assert.Contains("immutable", response.Headers["cache-control"], StringComparison.Ordinal);
        Assert.Equal("absolute", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.skip-link')).position"));
    }

    [Fact]
    public async Task Xterm_loads_in_a_page_and_opens_a_terminal()
    {
        var page = await Web.SignedInPageAsync();
        await page.AddScriptTagAsync(new() { Url = "/static/xterm/xterm.js" });
        await page.AddScriptTagAsync(new() { Url = "/static/xterm/addon-fit.js" });
        await page.AddStyleTagAsync(new() { Url = "/static/xterm/xterm.css" });

        var rows = await page.EvaluateAsync<int>("""
            () => {
              const element = document.createElement("div");
              element.style.width = "600px";
              element.style.height = "200px";
              document.querySelector("main").append(element);
              const terminal = new Terminal();
              const fit = new FitAddon.FitAddon();
              terminal.loadAddon(fit);
              terminal.open(element);
              fit.fit();
              terminal.write("hello from xterm");
              return terminal.rows;
            }
            """);

        Assert.True(rows > 1, $"the fitted terminal has {rows} rows");
        await Assertions.Expect(page.Locator(".xterm")).ToBeVisibleAsync();
    }
}
