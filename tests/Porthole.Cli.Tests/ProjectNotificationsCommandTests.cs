using System.Text.Json;

namespace Porthole.Cli.Tests;

/// <summary>
/// <c>porthole project notifications</c> (R-BEY-4): set a project's notification webhook (its secret printed the once
/// the server shows it), show it, remove it; against a stand-in server that records what the CLI sends.
/// </summary>
public sealed class ProjectNotificationsCommandTests : IDisposable
{
    private const string Made = """{"project":"web","url":"https://hooks.example.com/p","has_secret":true,"created_at":"2025-11-23T04:16:09+00:00","created_by":"ada","secret":"5ec7e7"}""";
    private const string Exists = """{"project":"web","url":"https://hooks.example.com/p","has_secret":true,"created_at":"2025-11-23T04:16:09+00:00","created_by":"ada"}""";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Url_sets_the_webhook_and_prints_the_new_secret_once_and_no_option_shows_it_without()
    {
        await using var server = new FakeHttpServer((request, response) => request.Method == "PUT" ? response.JsonAsync(Made, 201) : response.JsonAsync(Exists));

        var set = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "notifications", "web", "--url", "https://hooks.example.com/p");
        var shown = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "notifications", "web");

        Assert.Equal(0, set.ExitCode);
        Assert.StartsWith("notification webhook of project web: https://hooks.example.com/p\nsecret: 5ec7e7\nIt is shown this once", set.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, shown.ExitCode);
        Assert.Equal(
            "notification webhook of project web: https://hooks.example.com/p\n"
            + "a secret exists (made by ada at 2025-11-23 04:16:09Z); it is not shown again: replace it with porthole project notifications web --url URL --rotate\n",
            shown.Stdout);
        Assert.Equal(["PUT", "GET"], server.Requests.Select(r => r.Method));
        Assert.All(server.Requests, r => Assert.Equal("/api/projects/web/notifications", r.Path));
        Assert.Equal("https://hooks.example.com/p", JsonDocument.Parse(server.Requests.First().Body).RootElement.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Remove_deletes_it_and_remove_with_url_is_refused_before_any_request()
    {
        await using var server = new FakeHttpServer((request, response) => response.BytesAsync(204, "text/plain", []));

        var removed = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "notifications", "web", "--remove");
        var both = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "notifications", "web", "--remove", "--url", "https://x.example");

        Assert.Equal(0, removed.ExitCode);
        Assert.Equal("project web: notification webhook removed\n", removed.Stdout);
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("give --url or --remove, not both", both.Stderr, StringComparison.Ordinal);
        Assert.Equal(["DELETE"], server.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task A_project_without_a_webhook_says_how_to_set_one()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("""{"project":"web","url":null,"has_secret":false}"""));

        var shown = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "notifications", "web");

        Assert.Equal(0, shown.ExitCode);
        Assert.Equal("project web has no notification webhook; set one with porthole project notifications web --url https://…\n", shown.Stdout);
    }
}
