using System.Net.Http.Headers;
using Microsoft.Playwright;
using Porthole.Server.Web.Sessions;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>The tokens page (R-AC-1): a new token's secret once, never in a URL; revoking, the session's own token too.</summary>
public sealed class TokensPageTests(WebFixture web) : WebTest(web)
{
    [Fact]
    public async Task A_new_token_is_shown_once_works_for_the_api_and_stops_working_when_revoked()
    {
        using var admin = ApiClient.Admin(Web);
        var (_, first) = await admin.CreateUserAsync("tokens");
        var page = await Web.SignedInPageAsync(first);
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = Web.Address.ToString().TrimEnd('/') });
        await page.GotoAsync("/tokens");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "first" })).ToContainTextAsync("this session");

        await page.GetByLabel("Name").FillAsync("deploy script");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/tokens", StringComparison.Ordinal));

        Assert.Equal(200, response.Status);
        Assert.Contains("no-store", response.Headers["cache-control"], StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Token created");
        await Assertions.Expect(page.GetByText("will not show it again")).ToBeVisibleAsync();
        var field = page.GetByLabel("Token deploy script");
        await Assertions.Expect(field).ToHaveAttributeAsync("readonly", "");
        var secret = await field.InputValueAsync();
        Assert.StartsWith("ph_", secret, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(await page.ContentAsync(), secret));
        Assert.DoesNotContain(secret, page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, response.Request.Url, StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copied" })).ToBeVisibleAsync();
        Assert.Equal(secret, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Screenshots.SaveAsync(page, "token-created", narrowToo: true);

        using var withSecret = NewClient(secret);
        Assert.Equal(200, (int)(await withSecret.GetAsync("/api/users/me/tokens")).StatusCode);

        await page.GetByRole(AriaRole.Link, new() { Name = "Done" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(Web.Address, "/tokens").ToString());
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "deploy script" });
        await Assertions.Expect(row).ToBeVisibleAsync();
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await page.ReloadAsync();
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "tokens", narrowToo: true);

        await row.Locator("summary").ClickAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke this token" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Revoked token deploy script: it no longer works.");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "deploy script" })).ToHaveCountAsync(0);
        Assert.Equal(401, (int)(await withSecret.GetAsync("/api/users/me/tokens")).StatusCode);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Tokens");
    }

    [Fact]
    public async Task Revoking_the_token_of_this_session_signs_the_browser_out_and_says_why()
    {
        using var admin = ApiClient.Admin(Web);
        var (_, first) = await admin.CreateUserAsync("session");
        using (var api = NewClient(first))
        {
            Assert.True((await api.PostAsync("/api/users/me/tokens", JsonContent("""{"name": "spare"}"""))).IsSuccessStatusCode);
        }

        var page = await Web.SignedInPageAsync(first);
        await page.GotoAsync("/tokens");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "this session" });
        await Assertions.Expect(row).ToContainTextAsync("first");
        await row.Locator("summary").ClickAsync();
        await Assertions.Expect(row.GetByText("revoking it signs you out")).ToBeVisibleAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke this token" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Uri(Web.Address, "/sign-in").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync(
            "You revoked token first, the one this browser was signed in with, so you are signed out. Sign in with another of your tokens.");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == WebAuthentication.CookieName);
        await Screenshots.SaveAsync(page, "signed-out-after-revoke");

        await page.GotoAsync("/tokens");
        Assert.Contains("/sign-in?returnUrl=", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        using var revoked = NewClient(first);
        Assert.Equal(401, (int)(await revoked.GetAsync("/api/users/me/tokens")).StatusCode);
    }

    [Fact]
    public async Task A_refused_name_shows_the_apis_reason()
    {
        using var admin = ApiClient.Admin(Web);
        var (_, first) = await admin.CreateUserAsync("names");
        var page = await Web.SignedInPageAsync(first);
        await page.GotoAsync("/tokens");

        await page.GetByLabel("Name").FillAsync("first");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(
            "You already have a token named 'first'. Pick another name, or revoke that token first.");
        await Assertions.Expect(page.GetByLabel("Name")).ToHaveValueAsync("first");
        await Assertions.Expect(page.GetByLabel("Name")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#token-secret")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Creating_and_revoking_a_token_work_with_the_keyboard_alone()
    {
        using var admin = ApiClient.Admin(Web);
        var (_, first) = await admin.CreateUserAsync("keyboard-tokens");
        var page = await Web.SignedInPageAsync(first);
        await page.GotoAsync("/tokens");

        await Keyboard.TabToAsync(page, page.GetByLabel("Name"));
        await page.Keyboard.TypeAsync("typed");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Token created");
        await Keyboard.TabToAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Done" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(Web.Address, "/tokens").ToString());

        await Keyboard.TabToAsync(page, page.Locator("summary", new() { HasText = "Revoke token typed" }));
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "typed" })
            .GetByRole(AriaRole.Button, new() { Name = "Revoke this token" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Revoked token typed: it no longer works.");
    }

    private HttpClient NewClient(string token) => new()
    {
        BaseAddress = Web.Address,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    private static int Occurrences(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
