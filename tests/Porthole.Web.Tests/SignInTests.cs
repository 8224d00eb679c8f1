using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porthole.Server.Web.Sessions;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

public sealed partial class SignInTests(WebFixture web) : WebTest(web)
{
    [Fact]
    public async Task Signing_in_with_the_admin_token_lands_on_projects_with_a_session_cookie_that_is_not_the_token()
    {
        var page = await Web.NewPageAsync();
        await page.GotoAsync("/");
        Assert.EndsWith("/sign-in", page.Url, StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "sign-in", narrowToo: true);

        await WebFixture.SignInAsync(page, Web.AdminToken);

        await Assertions.Expect(page).ToHaveURLAsync(ProjectsUrl);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Projects");
        Assert.Contains("admin", await page.Locator(".account-name").TextContentAsync(), StringComparison.Ordinal);
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == WebAuthentication.CookieName);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        Assert.DoesNotContain(Web.AdminToken, cookie.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(Web.AdminToken, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(Web.AdminToken, page.Url, StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "projects-empty", narrowToo: true);
    }

    [Fact]
    public async Task A_wrong_token_shows_the_form_again_with_an_error_and_never_the_token()
    {
        const string wrong = "ph_not_a_real_token_0123456789";
        var page = await Web.NewPageAsync();
        await WebFixture.SignInAsync(page, wrong);

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(SignInPage.InvalidToken);
        Assert.EndsWith("/sign-in", page.Url, StringComparison.Ordinal);
        Assert.Equal("", await page.GetByLabel("Personal token").InputValueAsync());
        Assert.DoesNotContain(wrong, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == WebAuthentication.CookieName);
        await Screenshots.SaveAsync(page, "sign-in-wrong-token");
    }

    [Fact]
    public async Task A_page_without_a_session_redirects_to_sign_in_and_back_after_it()
    {
        var page = await Web.NewPageAsync();
        var response = await page.GotoAsync("/projects?sort=name");

        Assert.Equal(200, response!.Status);
        Assert.Matches(SignInWithReturnUrl(), page.Url);
        await page.GetByLabel("Personal token").FillAsync(Web.AdminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(ProjectsUrl + "?sort=name");
    }

    [Theory]
    [InlineData("https://example.com/")]
    [InlineData("//example.com/x")]
    [InlineData("/\\example.com")]
    public async Task Signing_in_never_follows_a_return_url_to_another_site(string returnUrl)
    {
        var page = await Web.NewPageAsync();
        await WebFixture.SignInAsync(page, Web.AdminToken, returnUrl);

        await Assertions.Expect(page).ToHaveURLAsync(ProjectsUrl);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var page = await Web.SignedInPageAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Uri(Web.Address, "/sign-in").ToString());
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == WebAuthentication.CookieName);
        await page.GotoAsync("/projects");
        Assert.Matches(SignInWithReturnUrl(), page.Url);
    }

    [Fact]
    public async Task The_start_page_sends_a_signed_in_user_to_projects()
    {
        var page = await Web.SignedInPageAsync();
        await page.GotoAsync("/");

        Assert.Equal(ProjectsUrl, page.Url);
    }

    private string ProjectsUrl => new Uri(Web.Address, "/projects").ToString();

    [GeneratedRegex(@"/sign-in\?returnUrl=%2Fprojects(%3Fsort%3Dname)?$")]
    private static partial Regex SignInWithReturnUrl();
}
