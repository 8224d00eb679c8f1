namespace Porthole.Cli.Tests;

/// <summary><c>porthole project members</c>: the list of members, and <c>--remove</c>.</summary>
public sealed class ProjectMembersCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Members_prints_a_table_of_users_and_roles()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync("""
            [{"user":"ada","role":"admin"},{"user":"grace","role":"read"}]
            """));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "members", "web");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """
            USER   ROLE
            ada    admin
            grace  read

            """,
            outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/api/projects/web/members", request.Path);
    }

    [Fact]
    public async Task Members_json_prints_the_answer_as_it_is()
    {
        const string Answer = """[{"user":"ada","role":"admin"}]""";
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(Answer));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "members", "web", "--json");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(Answer + "\n", outcome.Stdout);
    }

    [Fact]
    public async Task Members_remove_sends_a_delete_for_the_user()
    {
        await using var server = new FakeHttpServer((request, response) => response.BytesAsync(204, "text/plain", []));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "members", "web", "--remove", "grace");

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("removed grace from project web\n", outcome.Stdout);
        var request = Assert.Single(server.Requests);
        Assert.Equal("DELETE", request.Method);
        Assert.Equal("/api/projects/web/members/grace", request.Path);
    }

    [Fact]
    public async Task Members_remove_of_the_last_admin_is_one_line_with_its_code()
    {
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(
            409, "Conflict", "ada is the last admin of project web, and a project needs one: give another member the admin role first.", "last_admin"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "members", "web", "--remove", "ada");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: ada is the last admin of project web, and a project needs one: give another member the admin role first. (last_admin)\n", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
    }

    [Fact]
    public async Task Members_of_a_project_you_cannot_see_is_one_line_with_its_code()
    {
        await using var server = new FakeHttpServer((request, response) => response.ProblemAsync(
            404, "Not found", "There is no project named 'web' that you can see.", "project_not_found"));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "project", "members", "web");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: There is no project named 'web' that you can see. (project_not_found)\n", outcome.Stderr);
    }

    [Fact]
    public async Task Members_remove_with_an_empty_user_is_a_usage_error()
    {
        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(FakeHttpServer.ClosedUrl(), _folder), "project", "members", "web", "--remove", " ");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--remove needs the name of the user", Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
    }
}
