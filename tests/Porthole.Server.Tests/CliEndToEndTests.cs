using System.Net.Http.Json;
using Porthole.Cli;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>The porthole client against the real server: the README's tour, command by command.</summary>
public sealed class CliEndToEndTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _home = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", """
            version: 2
            jobs:
              build:
                steps:
                  - run: echo "secret is $API_KEY"; echo built
              slow:
                steps:
                  - run: echo slow; sleep 120
              fails:
                steps:
                  - run: echo failing; exit 3
            workflows:
              w:
                jobs: [build, slow, fails]
            """));
        _server = await RunningServer.StartAsync(_data.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _home.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task The_tour_login_add_trigger_follow_cancel_rerun()
    {
        var token = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim();
        var login = await RunAsync("login", "--server", _server.Address.ToString(), "--token", token);
        Assert.Equal(0, login.Code);
        Assert.DoesNotContain(token, login.Out + login.Err);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigPath));

        Assert.Equal(0, (await RunAsync("project", "add", "app", _repository.Path)).Code);
        var env = await RunAsync("env", "set", "app", "API_KEY", "hunter2-secret", "--secret");
        Assert.Equal(0, env.Code);
        Assert.DoesNotContain("hunter2-secret", env.Out + env.Err);

        var trigger = await RunAsync("trigger", "app", "--ref", "main");
        Assert.Equal(0, trigger.Code);
        var pipeline = (await _server.Client.GetFromJsonAsyncOrFail<List<PipelineView>>("/api/projects/app/pipelines")).Single();
        Assert.Contains($"pipeline {pipeline.Id}", trigger.Out);
        var jobs = pipeline.Workflows[0].Jobs.ToDictionary(j => j.Name);
        foreach (var job in jobs.Values)
        {
            Assert.Contains($"job {job.Id}", trigger.Out);
        }

        // Follow a job to its end: its output, then exit 0 for success.
        var follow = await RunAsync("logs", jobs["build"].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f");
        Assert.Equal(0, follow.Code);
        Assert.Contains("built", follow.Out);
        Assert.Contains("secret is ********", follow.Out);
        Assert.DoesNotContain("hunter2-secret", follow.Out);

        var failing = await RunAsync("logs", Id(jobs["fails"]), "-f");
        Assert.Equal(1, failing.Code);
        Assert.Contains("failing", failing.Out);

        await _server.WaitForJobAsync(jobs["slow"].Id, j => j.Status == Status.Running);
        var cancel = await RunAsync("cancel", Id(jobs["slow"]));
        Assert.Equal(0, cancel.Code);
        Assert.Equal(Status.Canceled, (await _server.WaitForPipelineAsync(pipeline.Id)).Workflows[0].Jobs.Single(j => j.Name == "slow").Status);

        var rerun = await RunAsync("rerun", Id(jobs["fails"]));
        Assert.Equal(0, rerun.Code);
        Assert.Contains("attempt 2", rerun.Out);
        var listed = await RunAsync("jobs", pipeline.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.Equal(0, listed.Code);
        Assert.Contains("\"attempts\": 2", listed.Out.Replace("\"attempts\":2", "\"attempts\": 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Errors_are_one_line_with_a_non_zero_exit()
    {
        var token = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim();
        Assert.Equal(0, (await RunAsync("login", "--server", _server.Address.ToString(), "--token", token)).Code);
        Assert.Equal(0, (await RunAsync("project", "add", "app", _repository.Path)).Code);
        var pipeline = await _server.TriggerAsync("app");

        var wrongKind = await RunAsync("logs", pipeline.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, wrongKind.Code);
        var line = Assert.Single(wrongKind.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("is a pipeline id, not a job id", line);
        Assert.Contains(ErrorCodes.PipelineIdNotJobId, line);

        var workflow = await RunAsync("logs", pipeline.Workflows[0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, workflow.Code);
        line = Assert.Single(workflow.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"is a workflow id, not a job id. Workflow {pipeline.Workflows[0].Id} (of pipeline {pipeline.Id}) has jobs", line);
        Assert.Contains(ErrorCodes.WorkflowIdNotJobId, line);

        var missing = await RunAsync("trigger", "nope");
        Assert.Equal(1, missing.Code);
        Assert.Single(missing.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        await _server.Client.PostAsync($"/api/jobs/{pipeline.Workflows[0].Jobs.Single(j => j.Name == "slow").Id}/cancel", null);
    }

    [Fact]
    public async Task A_user_who_is_not_an_admin_is_told_in_one_line_to_give_a_url_and_a_short_secret_is_refused()
    {
        var token = await _server.CreateUserAsync("dev");
        Assert.Equal(0, (await RunAsync("login", "--server", _server.Address.ToString(), "--token", token)).Code);

        foreach (var path in (string[])[_repository.Path, "/nonexistent/porthole/repository"])
        {
            var refused = await RunAsync("project", "add", "app", path);
            Assert.Equal(1, refused.Code);
            Assert.Equal(
                "error: Only server admins may use a local path as a repository (or paths under the folders the server lists in "
                + "LocalRepositoryRoots); give a URL git can clone, such as https://host/owner/repo.git or git@host:owner/repo.git. (repository_not_allowed)\n",
                refused.Err);
        }

        Assert.Equal(0, (await RunAsync("project", "add", "app", "https://git.example.com/dev/app.git")).Code);
        var pin = await RunAsync("env", "set", "app", "PIN", "123", "--secret");
        Assert.Equal(1, pin.Code);
        Assert.Equal("error: A secret must be at least 4 characters long: shorter values cannot be masked in logs reliably. (secret_too_short)\n", pin.Err);
        Assert.Equal(0, (await RunAsync("env", "set", "app", "MODE", "dev")).Code);
    }

    [Fact]
    public async Task Tokens_made_with_the_cli_sign_in_until_revoked_and_members_are_listed_and_removed()
    {
        var adminToken = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim();
        Assert.Equal(0, (await RunAsync("login", "--server", _server.Address.ToString(), "--token", adminToken)).Code);

        var created = await RunAsync("tokens", "create", "ci");
        Assert.Equal(0, created.Code);
        var secret = created.Out.Trim();
        Assert.True(secret.StartsWith("ph_", StringComparison.Ordinal) && !secret.Contains('\n', StringComparison.Ordinal), "tokens create prints the secret alone");
        Assert.True(!created.Err.Contains(secret, StringComparison.Ordinal), "tokens create's note shows the secret");
        using var ci = _server.ClientFor(secret);
        Assert.Equal("admin", (await ci.GetFromJsonAsyncOrFail<UserView>("/api/users/me")).Name);

        var list = await RunAsync("tokens", "list");
        Assert.Equal(0, list.Code);
        Assert.True(!list.Out.Contains(secret, StringComparison.Ordinal), "tokens list shows a secret");
        var row = list.Out.Split('\n').Single(line => line.Contains(" ci ", StringComparison.Ordinal));
        var id = row.Split(' ')[0];
        Assert.Contains("yes", list.Out.Split('\n').Single(line => line.Contains(" admin ", StringComparison.Ordinal)), StringComparison.Ordinal);

        var revoke = await RunAsync("tokens", "revoke", id);
        Assert.Equal(0, revoke.Code);
        Assert.Equal($"revoked token {id}\n", revoke.Out);
        await Expect.ProblemAsync(await ci.GetAsync("/api/users/me"), 401, ErrorCodes.Unauthorized);

        Assert.Equal(0, (await RunAsync("project", "add", "app", _repository.Path)).Code);
        await _server.CreateUserAsync("grace");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/grace", new { role = "read" }), 204);
        var members = await RunAsync("project", "members", "app");
        Assert.Equal("USER   ROLE\nadmin  admin\ngrace  read\n", members.Out);
        var removed = await RunAsync("project", "members", "app", "--remove", "grace");
        Assert.Equal(0, removed.Code);
        Assert.Equal("removed grace from project app\n", removed.Out);
        var lastAdmin = await RunAsync("project", "members", "app", "--remove", "admin");
        Assert.Equal(1, lastAdmin.Code);
        Assert.Contains(ErrorCodes.LastAdmin, lastAdmin.Err, StringComparison.Ordinal);
    }

    private string ConfigPath => Path.Combine(_home.Path, "config.json");

    private static string Id(JobSummary job) => job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new Dictionary<string, string> { ["PORTHOLE_CONFIG"] = ConfigPath, ["HOME"] = _home.Path };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Cli.Cli.RunAsync(args, CliContext.Create(output, error, environment), timeout.Token);
        return (code, output.ToString(), error.ToString());
    }
}
