using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

public sealed class PagesTests(WebFixture web) : WebTest(web)
{
    [Fact]
    public async Task Projects_lists_the_projects_the_user_may_see()
    {
        using var client = new HttpClient { BaseAddress = Web.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", Web.AdminToken);
        foreach (var (name, visibility) in new[] { ("web-private", "private"), ("web-public", "public") })
        {
            var created = await client.PostAsJsonAsync("/api/projects", new { name, repository = "/srv/git/" + name, visibility });
            Assert.True(created.IsSuccessStatusCode || (int)created.StatusCode == 409, await created.Content.ReadAsStringAsync());
        }

        var reader = await client.PostAsJsonAsync("/api/users", new { name = "reader" });
        var readerToken = (await reader.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        var admin = await Web.SignedInPageAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Rowheader, new() { Name = "web-private" })).ToBeVisibleAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Rowheader, new() { Name = "web-public" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(admin, "projects", narrowToo: true);

        var readerPage = await Web.SignedInPageAsync(readerToken);
        await Assertions.Expect(readerPage.GetByRole(AriaRole.Rowheader, new() { Name = "web-public" })).ToBeVisibleAsync();
        await Assertions.Expect(readerPage.GetByRole(AriaRole.Rowheader, new() { Name = "web-private" })).ToHaveCountAsync(0);
        Assert.Contains("reader", await readerPage.Locator(".account-name").TextContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_page_is_a_404_page_and_an_unknown_api_path_stays_problem_details()
    {
        var page = await Web.SignedInPageAsync();
        var response = await page.GotoAsync("/no-such-page");

        Assert.Equal(404, response!.Status);
        Assert.StartsWith("text/html", response.Headers["content-type"], StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Page not found");
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "not-found");

        var api = await page.GotoAsync("/api/no-such-thing");
        Assert.Equal(404, api!.Status);
        Assert.StartsWith("application/problem+json", api.Headers["content-type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_header_is_keyboard_reachable_and_marks_the_current_page()
    {
        var page = await Web.SignedInPageAsync();

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        var current = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Projects" });
        await Assertions.Expect(current).ToHaveAttributeAsync("aria-current", "page");
        var outline = await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
        Assert.Equal("solid", outline);
    }
}
