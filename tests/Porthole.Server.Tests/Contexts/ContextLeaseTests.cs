using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Contexts;

/// <summary>
/// A job's contexts at its lease (dialects.md §A6, §A1.5), through the real runner service with no runner of the
/// server's own: the test leases as a runner would. A job that may not use a context it names fails before running, with
/// the reason in its node's message and log; one that may gets the contexts' variables after the project's.
/// </summary>
public sealed class ContextLeaseTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          deploy:
            steps:
              - run: echo deploy
          build:
            steps:
              - run: echo build
        workflows:
          main:
            jobs:
              - deploy:
                  context: [shared, deploy]
              - build
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private JobDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await JobDataServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
        await CreateContextAsync("shared", "read", ("COMMON", "from-shared", false), ("REGION", "eu-west-1", false));
        await CreateContextAsync("deploy", "write", ("COMMON", "from-deploy", false), ("DEPLOY_TOKEN", "tok-3f9a-secret", true));
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/env/COMMON", new SetVariableRequest("from-project", false), ApiJson.Options), 200);
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/env/PROJECT_ONLY", new SetVariableRequest("p", false), ApiJson.Options), 200);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_job_gets_its_contexts_variables_after_the_projects_a_later_context_last_each_marked_with_its_context()
    {
        await _server.TriggerAsync("app");

        var deploy = await _server.LeaseAsync("deploy");

        Assert.Equal(
            [
                ("COMMON", "from-project", false, null),
                ("PROJECT_ONLY", "p", false, null),
                ("COMMON", "from-shared", false, "shared"),
                ("REGION", "eu-west-1", false, "shared"),
                ("COMMON", "from-deploy", false, "deploy"),
                ("DEPLOY_TOKEN", "tok-3f9a-secret", true, "deploy"),
            ],
            deploy.Variables.Select(v => (v.Name, v.Value, v.Secret, v.Context)));
        Assert.Contains("tok-3f9a-secret", deploy.SecretValues());
        Assert.DoesNotContain("tok-3f9a-secret", deploy.Variables.Last().ToString(), StringComparison.Ordinal);

        // A job that names no context gets the project's variables alone.
        var build = await _server.LeaseAsync("build");
        Assert.Equal(["COMMON", "PROJECT_ONLY"], build.Variables.Select(v => v.Name));
    }

    [Fact]
    public async Task A_read_members_pipeline_cannot_use_a_write_context_the_job_fails_before_running_with_the_reason()
    {
        using var alice = await MemberAsync("alice", "write");
        var pipeline = await TriggerAsync(alice);
        await SetRoleAsync("alice", "read");

        // The deploy node is refused at its lease and never handed out: the runner gets the build node instead.
        var leased = await _server.LeaseAsync();

        Assert.Equal("build", leased.Job.Name);
        const string Reason = "context 'deploy' requires the write role; the pipeline was triggered by alice (read)";
        var deploy = await RefusedJobAsync(pipeline, "deploy");
        var node = Assert.Single(Assert.Single(deploy.Attempts).Nodes);
        Assert.Equal(Status.Failed, node.Status);
        Assert.Equal(Reason, node.Message);
        var step = Assert.Single(node.Steps);
        Assert.Equal(("Preparing environment variables", Status.Failed), (step.Name, step.Status));
        var log = await _server.Client.GetStringAsync($"/api/jobs/{deploy.Id}/log");
        Assert.Contains("Context 'deploy' requires the write role; the pipeline was triggered by alice (read).", log, StringComparison.Ordinal);
        Assert.Contains("The job did not run.", log, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-3f9a-secret", log, StringComparison.Ordinal);

        await _server.CompleteAsync(leased);
        var finished = await _server.Client.GetFromJsonAsyncOrFail<PipelineView>($"/api/pipelines/{pipeline.Id}");
        Assert.Equal(Status.Failed, finished.Status);
    }

    [Fact]
    public async Task A_write_member_may_use_a_write_context_but_not_an_admin_one()
    {
        using var bob = await MemberAsync("bob", "write");
        await TriggerAsync(bob);
        Assert.Contains(("DEPLOY_TOKEN", "deploy"), (await _server.LeaseAsync("deploy")).Variables.Select(v => (v.Name, v.Context)));
        await _server.LeaseAsync("build");

        await Expect.StatusAsync(await _server.Client.DeleteAsync("/api/contexts/deploy"), 204);
        await CreateContextAsync("deploy", "admin");
        var pipeline = await TriggerAsync(bob);
        Assert.Equal("build", (await _server.LeaseAsync()).Job.Name);
        var deploy = await RefusedJobAsync(pipeline, "deploy");
        Assert.Equal(
            "context 'deploy' requires the admin role; the pipeline was triggered by bob (write)",
            Assert.Single(Assert.Single(deploy.Attempts).Nodes).Message);
    }

    [Fact]
    public async Task A_context_that_does_not_exist_fails_the_job_naming_it()
    {
        await Expect.StatusAsync(await _server.Client.DeleteAsync("/api/contexts/shared"), 204);
        var pipeline = await _server.TriggerAsync("app");

        Assert.Equal("build", (await _server.LeaseAsync()).Job.Name);

        var deploy = await RefusedJobAsync(pipeline, "deploy");
        Assert.Equal(
            "context 'shared' does not exist: a server admin creates it with 'porthole context create shared'",
            Assert.Single(Assert.Single(deploy.Attempts).Nodes).Message);
    }

    private async Task<JobView> RefusedJobAsync(PipelineView pipeline, string name)
    {
        var id = pipeline.Workflows.SelectMany(w => w.Jobs).Single(j => j.Name == name).Id;
        return await _server.Client.GetFromJsonAsyncOrFail<JobView>($"/api/jobs/{id}");
    }

    private async Task CreateContextAsync(string name, string role, params (string Name, string Value, bool Secret)[] variables)
    {
        await Expect.StatusAsync(await _server.Client.PostAsJsonAsync("/api/contexts", new CreateContextRequest(name, role), ApiJson.Options), 201);
        foreach (var (variable, value, secret) in variables)
        {
            await Expect.StatusAsync(await _server.Client.PutAsJsonAsync($"/api/contexts/{name}/env/{variable}", new SetVariableRequest(value, secret), ApiJson.Options), 200);
        }
    }

    private async Task<HttpClient> MemberAsync(string name, string role)
    {
        var client = _server.ClientFor(await _server.CreateUserAsync(name));
        await SetRoleAsync(name, role);
        return client;
    }

    private async Task SetRoleAsync(string user, string role) =>
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync($"/api/projects/app/members/{user}", new { role }), 204);

    private static async Task<PipelineView> TriggerAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;
    }
}
