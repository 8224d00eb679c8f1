using System.Text.Json;

namespace Porthole.Cli.Tests;

public sealed class LoginTests : IDisposable
{
    private const string Token = "pht_s3cret-token-value";
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Login_checks_the_token_and_keeps_it_in_a_file_of_mode_600_in_a_folder_of_mode_700()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var server = UsersMeServer();
        var environment = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = Path.Combine(_folder.Path, "xdg") };

        var outcome = await CliRunner.RunAsync(environment, "login", "--server", server.Url + "/", "--token", Token);

        Assert.Equal("", outcome.Stderr);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("as ada", outcome.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, outcome.Stdout, StringComparison.Ordinal);
        var file = Path.Combine(_folder.Path, "xdg", "porthole", "config.json");
        Assert.Equal(Mode600, File.GetUnixFileMode(file));
        Assert.Equal(Mode700, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        using var stored = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.Equal(server.Url, stored.RootElement.GetProperty("server").GetString());
        Assert.Equal(Token, stored.RootElement.GetProperty("token").GetString());
        Assert.Equal($"Bearer {Token}", Assert.Single(server.Requests).Header("Authorization"));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(file)!));
    }

    [Fact]
    public async Task Login_over_an_existing_readable_config_file_leaves_it_at_mode_600_and_later_commands_use_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var server = UsersMeServer();
        var file = Path.Combine(_folder.Path, "mine", "porthole.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, """{"server":"http://old.example","token":"old"}""");
        File.SetUnixFileMode(file, Mode600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var environment = new Dictionary<string, string> { ["PORTHOLE_CONFIG"] = file };

        var login = await CliRunner.RunAsync(environment, "login", "--server", server.Url, "--token", Token);
        var projects = await CliRunner.RunAsync(environment, "projects");

        Assert.Equal(0, login.ExitCode);
        Assert.Equal(Mode600, File.GetUnixFileMode(file));
        Assert.Equal("", projects.Stderr);
        Assert.Equal(0, projects.ExitCode);
        Assert.Equal(
            """
            PROJECT  VISIBILITY  CREATED               REPOSITORY
            web      private     2025-11-23 04:16:09Z  https://example.com/web.git

            """,
            projects.Stdout);
        Assert.All(server.Requests, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
    }

    [Fact]
    public async Task Environment_variables_win_over_the_config_file()
    {
        await using var stale = UsersMeServer();
        await using var server = UsersMeServer();
        var file = Path.Combine(_folder.Path, "config.json");
        await File.WriteAllTextAsync(file, $$"""{"server":"{{stale.Url}}","token":"stale"}""");
        var environment = new Dictionary<string, string>
        {
            ["PORTHOLE_CONFIG"] = file,
            ["PORTHOLE_SERVER"] = server.Url,
            ["PORTHOLE_TOKEN"] = Token,
        };

        var outcome = await CliRunner.RunAsync(environment, "projects", "--json");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(ProjectsJson + "\n", outcome.Stdout);
        Assert.Empty(stale.Requests);
        Assert.Equal($"Bearer {Token}", Assert.Single(server.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task The_stored_token_is_never_sent_to_another_server_named_by_the_environment()
    {
        await using var other = UsersMeServer();
        var file = Path.Combine(_folder.Path, "config.json");
        await File.WriteAllTextAsync(file, $$"""{"server":"http://127.0.0.1:1","token":"{{Token}}"}""");

        var outcome = await CliRunner.RunAsync(new Dictionary<string, string> { ["PORTHOLE_CONFIG"] = file, ["PORTHOLE_SERVER"] = other.Url }, "projects");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: not logged in: run porthole login --server URL --token TOKEN\n", outcome.Stderr);
        Assert.Empty(other.Requests);
    }

    [Fact]
    public async Task A_refused_token_is_one_line_with_its_code_and_nothing_is_written()
    {
        await using var server = UsersMeServer();
        var file = Path.Combine(_folder.Path, "porthole", "config.json");

        var outcome = await CliRunner.RunAsync(new Dictionary<string, string> { ["PORTHOLE_CONFIG"] = file }, "login", "--server", server.Url, "--token", "wrong");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: the token is not valid or has been revoked (unauthorized)\n", outcome.Stderr);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task An_unreachable_server_is_one_line_and_exit_1()
    {
        var url = FakeHttpServer.ClosedUrl();

        var login = await CliRunner.RunAsync(new Dictionary<string, string> { ["PORTHOLE_CONFIG"] = Path.Combine(_folder.Path, "c.json") }, "login", "--server", url, "--token", Token);
        var projects = await CliRunner.RunAsync(CliRunner.LoggedIn(url, _folder), "projects");

        foreach (var outcome in new[] { login, projects })
        {
            Assert.Equal(1, outcome.ExitCode);
            var line = Assert.Single(outcome.StderrLines);
            Assert.StartsWith($"error: cannot reach the server at {url}: ", line, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, outcome.Stderr, StringComparison.Ordinal);
            Assert.Equal("", outcome.Stdout);
        }
    }

    [Fact]
    public async Task Without_a_login_a_command_says_how_to_log_in()
    {
        var environment = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = Path.Combine(_folder.Path, "empty") };

        var outcome = await CliRunner.RunAsync(environment, "pipelines", "web");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: not logged in: run porthole login --server URL --token TOKEN\n", outcome.Stderr);
    }

    [Fact]
    public async Task A_server_address_that_is_not_http_is_a_usage_error()
    {
        var outcome = await CliRunner.RunAsync(new Dictionary<string, string> { ["PORTHOLE_CONFIG"] = Path.Combine(_folder.Path, "c.json") }, "login", "--server", "ftp://example.com", "--token", Token);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.StderrLines);
        Assert.DoesNotContain(Token, outcome.Stderr, StringComparison.Ordinal);
    }

    private const string ProjectsJson =
        """[{"name":"web","repository":"https://example.com/web.git","visibility":"private","created_at":"2025-11-23T04:16:09+00:00"}]""";

    private static FakeHttpServer UsersMeServer() => new((request, response) =>
    {
        if (request.Header("Authorization") != $"Bearer {Token}")
        {
            return response.ProblemAsync(401, "Unauthorized", "the token is not valid or has been revoked", "unauthorized");
        }

        return request.Path switch
        {
            "/api/users/me" => response.JsonAsync("""{"id":7,"name":"ada","is_admin":false}"""),
            "/api/projects" => response.JsonAsync(ProjectsJson),
            _ => response.ProblemAsync(404, "Not found", $"no route {request.Path}", "not_found"),
        };
    });
}
