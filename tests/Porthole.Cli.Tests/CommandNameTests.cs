namespace Porthole.Cli.Tests;

/// <summary>Hints name the command as the user can run it: <c>./porthole</c> after the README's two commands, <c>porthole</c> from PATH.</summary>
public sealed class CommandNameTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(null, "porthole")]
    [InlineData("", "porthole")]
    [InlineData("./porthole", "./porthole")]
    [InlineData("../main/porthole", "../main/porthole")]
    [InlineData("/opt/porthole/porthole", "/opt/porthole/porthole")]
    [InlineData("porthole", "./porthole")]
    [InlineData("/home/ann/my ci/porthole", "'/home/ann/my ci/porthole'")]
    [InlineData("/home/ann/it's/porthole", "'/home/ann/it'\\''s/porthole'")]
    public void A_path_that_PATH_does_not_find_is_printed_as_typed(string? invokedAs, string expected)
    {
        Assert.Equal(expected, CliCommandName.Resolve(invokedAs, pathVariable: _folder.Path, currentDirectory: _folder.Path));
    }

    [Fact]
    public void The_file_PATH_finds_is_printed_by_its_name()
    {
        var bin = Executable("bin", "porthole");

        Assert.Equal("porthole", CliCommandName.Resolve(bin, $"/nonexistent:{Path.GetDirectoryName(bin)}", "/"));
    }

    [Fact]
    public void A_link_on_PATH_to_the_file_typed_counts_as_found()
    {
        var checkout = Executable("checkout", "porthole");
        var bin = Directory.CreateDirectory(Path.Combine(_folder.Path, "bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "porthole"), checkout);

        Assert.Equal("porthole", CliCommandName.Resolve("./porthole", bin, Path.GetDirectoryName(checkout)!));
    }

    [Fact]
    public void Another_porthole_earlier_on_PATH_keeps_the_path()
    {
        var other = Executable("other", "porthole");
        var mine = Executable("mine", "porthole");
        var path = $"{Path.GetDirectoryName(other)}:{Path.GetDirectoryName(mine)}";

        Assert.Equal("./porthole", CliCommandName.Resolve("./porthole", path, Path.GetDirectoryName(mine)!));
        Assert.Equal(mine, CliCommandName.Resolve(mine, path, "/"));
    }

    [Fact]
    public void A_file_that_is_not_executable_is_not_what_PATH_finds()
    {
        var file = Executable("bin", "porthole");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal(file, CliCommandName.Resolve(file, Path.GetDirectoryName(file), "/"));
    }

    [Fact]
    public async Task Rerun_says_how_to_follow_the_log_with_the_command_typed()
    {
        await using var server = new FakeHttpServer((request, response) =>
            response.JsonAsync("""{"workflow_id":2,"jobs":[{"job_id":5,"name":"lint","attempt":2}]}"""));
        var environment = CliRunner.LoggedIn(server.Url, _folder);
        environment[CliCommandName.Variable] = "./porthole";

        var outcome = await CliRunner.RunAsync(environment, "rerun", "5");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("job 5 lint attempt 2\nfollow its log: ./porthole logs 5 -f\n", outcome.Stdout);
    }

    [Fact]
    public async Task Rerun_with_ssh_says_how_to_enter_with_the_command_typed()
    {
        await using var server = new FakeHttpServer((request, response) =>
            response.JsonAsync("""{"workflow_id":2,"jobs":[{"job_id":5,"name":"lint","attempt":2}]}"""));
        var environment = CliRunner.LoggedIn(server.Url, _folder);
        environment[CliCommandName.Variable] = "./porthole";

        var outcome = await CliRunner.RunAsync(environment, "rerun", "5", "--ssh");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            "job 5 lint attempt 2 with SSH\nenter it: ./porthole ssh 5\nif your key is refused: ./porthole ssh doctor 5\n",
            outcome.Stdout);
    }

    [Fact]
    public async Task Trigger_says_how_to_follow_the_log_with_the_command_typed()
    {
        await using var server = new FakeHttpServer((request, response) => response.JsonAsync(
            """
            {"id":1,"project":"demo","number":1,"ref":"main","commit":"0123456789abcdef0123456789abcdef01234567","status":"created","config_path":".circleci/config.yml",
             "created_at":"2025-11-23T04:16:09Z","workflows":[{"id":2,"name":"demo","status":"created","jobs":[
               {"id":3,"name":"build","status":"queued","parallelism":1,"requires":[],"attempts":1}]}]}
            """,
            201));
        var environment = CliRunner.LoggedIn(server.Url, _folder);
        environment[CliCommandName.Variable] = "/srv/porthole/porthole";

        var outcome = await CliRunner.RunAsync(environment, "trigger", "demo");

        Assert.Equal(0, outcome.ExitCode);
        Assert.EndsWith("follow its log: /srv/porthole/porthole logs 3 -f\n", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_logged_in_says_how_to_log_in_with_the_command_typed()
    {
        var environment = new Dictionary<string, string>
        {
            ["PORTHOLE_CONFIG"] = Path.Combine(_folder.Path, "none.json"),
            [CliCommandName.Variable] = "./porthole",
        };

        var outcome = await CliRunner.RunAsync(environment, "projects");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("error: not logged in: run ./porthole login --server URL --token TOKEN\n", outcome.Stderr);
    }

    [Fact]
    public async Task A_usage_error_points_to_the_help_of_the_command_typed()
    {
        var outcome = await CliRunner.RunAsync(new Dictionary<string, string> { [CliCommandName.Variable] = "./porthole" }, "logs", "abc");

        Assert.Equal(2, outcome.ExitCode);
        Assert.EndsWith("(see './porthole logs --help')", Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_variable_hints_say_porthole()
    {
        await using var server = new FakeHttpServer((request, response) =>
            response.JsonAsync("""{"workflow_id":2,"jobs":[{"job_id":5,"name":"lint","attempt":2}]}"""));

        var outcome = await CliRunner.RunAsync(CliRunner.LoggedIn(server.Url, _folder), "rerun", "5");

        Assert.EndsWith("follow its log: porthole logs 5 -f\n", outcome.Stdout, StringComparison.Ordinal);
    }

    private string Executable(string folder, string name)
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(_folder.Path, folder)).FullName, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
