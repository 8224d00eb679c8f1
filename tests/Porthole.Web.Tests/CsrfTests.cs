using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

public sealed class CsrfTests(WebFixture web) : WebTest(web)
{
    [Fact]
    public async Task The_session_cookie_reads_the_api_but_cannot_change_anything_through_it()
    {
        var page = await Web.SignedInPageAsync();

        var read = await FetchAsync(page, "GET", "/api/users/me");
        Assert.Equal(200, read.Status);
        Assert.Equal("admin", JsonDocument.Parse(read.Body).RootElement.GetProperty("name").GetString());

        var write = await FetchAsync(page, "POST", "/api/projects", """{"name": "from-the-browser", "repository": "/tmp"}""");
        Assert.Equal(403, write.Status);
        var problem = JsonDocument.Parse(write.Body).RootElement;
        Assert.Equal("forbidden", problem.GetProperty("code").GetString());
        Assert.Contains("web's forms", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var travis = await FetchAsync(page, "POST", "/job/1/debug", "{}");
        Assert.Equal(403, travis.Status);

        // The same request with a token is the API's as always.
        using var client = new HttpClient { BaseAddress = Web.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", Web.AdminToken);
        var projects = await client.GetStringAsync("/api/projects");
        Assert.DoesNotContain("from-the-browser", projects, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_posted_without_its_antiforgery_token_is_refused_with_a_page_and_changes_nothing()
    {
        var page = await Web.SignedInPageAsync();

        // A form like the Sign out one, but without <AntiforgeryToken />.
        var response = await page.RunAndWaitForResponseAsync(() => page.EvaluateAsync("""
            () => {
              const form = document.createElement("form");
              form.method = "post";
              form.action = "/sign-out";
              document.body.append(form);
              form.submit();
            }
            """), r => r.Url.EndsWith("/sign-out", StringComparison.Ordinal));

        Assert.Equal(400, response.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("The request could not be accepted");
        Assert.Contains("reload the page", await page.Locator("main").TextContentAsync(), StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "form-refused");

        await page.GotoAsync("/projects");
        Assert.EndsWith("/projects", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_without_a_session_or_token_answers_401_problem_details_not_a_redirect()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Web.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/projects");
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("unauthorized", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    private static async Task<(int Status, string Body)> FetchAsync(IPage page, string method, string path, string? json = null)
    {
        var result = await page.EvaluateAsync<JsonElement>(
            """
            async ([method, path, json]) => {
              const init = { method, credentials: "same-origin" };
              if (json !== null) {
                init.headers = { "Content-Type": "application/json" };
                init.body = json;
              }
              const response = await fetch(path, init);
              return { status: response.status, body: await response.text() };
            }
            """,
            new object?[] { method, path, json });
        return (result.GetProperty("status").GetInt32(), result.GetProperty("body").GetString()!);
    }
}
