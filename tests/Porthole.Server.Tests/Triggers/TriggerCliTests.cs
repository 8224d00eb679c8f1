using System.Text;
using Porthole.Cli;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Triggers;

/// <summary>
/// The porthole client against the real server: <c>trigger --tag --param</c>, <c>project hook</c> (whose secret then
/// signs a real push) and <c>schedules</c>.
/// </summary>
public sealed class TriggerCliTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        parameters:
          target:
            type: string
            default: staging
        jobs:
          build:
            steps:
              - run: echo "target=<< pipeline.parameters.target >> tag=<< pipeline.git.tag >>."
        workflows:
          main:
            jobs:
              - build:
                  filters:
                    tags:
                      only: /.*/
          nightly:
            triggers:
              - schedule:
                  cron: "15 3 * * *"
                  filters:
                    branches:
                      only: [main]
            jobs: [build]
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private TriggerServer _server = null!;
    private Dictionary<string, string> _environment = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await TriggerServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
        _environment = new Dictionary<string, string>
        {
            ["PORTHOLE_SERVER"] = _server.Address.ToString(),
            ["PORTHOLE_TOKEN"] = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim(),
            ["PORTHOLE_CONFIG"] = Path.Combine(_data.Path, "no-cli-config.json"),
        };
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Trigger_with_a_tag_and_a_parameter_builds_the_tag_with_it()
    {
        _repository.Run("tag", "v3.0.0");

        var trigger = await RunAsync("trigger", "app", "--tag", "v3.0.0", "--param", "target=production");

        Assert.Equal("", trigger.Err);
        Assert.Equal(0, trigger.Code);
        Assert.StartsWith("pipeline ", trigger.Out, StringComparison.Ordinal);
        Assert.Contains(" at tag v3.0.0 ", trigger.Out, StringComparison.Ordinal);
        Assert.Contains("parameters: target=production\n", trigger.Out, StringComparison.Ordinal);
        var pipeline = Assert.Single(await _server.PipelinesAsync("app"));
        Assert.Contains("target=production tag=v3.0.0.", await _server.FirstJobLogAsync(pipeline.Id), StringComparison.Ordinal);

        var list = await RunAsync("pipelines", "app");
        Assert.Contains("tag v3.0.0", list.Out, StringComparison.Ordinal);
        Assert.Contains("target=production", list.Out, StringComparison.Ordinal);

        var undeclared = await RunAsync("trigger", "app", "--param", "nope=1");
        Assert.Equal(1, undeclared.Code);
        Assert.Contains("(config_invalid)", undeclared.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Project_hook_prints_a_secret_once_that_signs_real_pushes()
    {
        var made = await RunAsync("project", "hook", "app");
        var shown = await RunAsync("project", "hook", "app");

        Assert.Equal(0, made.Code);
        Assert.StartsWith($"webhook of project app: {_server.Address.ToString().TrimEnd('/')}/api/projects/app/hooks/github\n", made.Out, StringComparison.Ordinal);
        var secret = made.Out.Split('\n').Single(l => l.StartsWith("secret: ", StringComparison.Ordinal))["secret: ".Length..];
        Assert.Equal(64, secret.Length);
        Assert.Equal(0, shown.Code);
        Assert.Contains("a secret exists (made by admin", shown.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, shown.Out, StringComparison.Ordinal);

        var head = _repository.Run("rev-parse", "HEAD").Trim();
        var body = Encoding.UTF8.GetBytes(TriggerServer.PushPayload("refs/heads/main", head, _repository.Path, "octo/app"));
        var response = await _server.DeliverAsync("app", "push", "cli-1", body, TriggerServer.Signature(secret, body));
        await Expect.StatusAsync(response, 201);
        Assert.Equal("webhook", Assert.Single(await _server.PipelinesAsync("app")).TriggerSource);
    }

    [Fact]
    public async Task Schedules_lists_what_the_branch_config_schedules()
    {
        var none = await RunAsync("schedules", "app");
        Assert.Equal(0, none.Code);
        Assert.StartsWith("no scheduled workflows in project app", none.Out, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("trigger", "app")).Code);
        var listed = await RunAsync("schedules", "app");

        Assert.Equal(0, listed.Code);
        var lines = listed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("BRANCH  WORKFLOW  CRON", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^main    nightly   15 3 \* \* \*  \d{4}-\d\d-\d\d 03:15:00Z  -", lines[1]);
        Assert.Equal(2, lines.Length);

        var json = await RunAsync("schedules", "app", "--json");
        Assert.Contains("\"workflow\":\"nightly\"", json.Out, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Cli.Cli.RunAsync(args, CliContext.Create(output, error, _environment), timeout.Token);
        return (code, output.ToString(), error.ToString());
    }
}
