using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>Bad input gets a ProblemDetails with a stable code and a sentence saying what to do; never a 500.</summary>
public sealed class ApiErrorTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", """
            version: 2
            jobs:
              build:
                steps:
                  - run: echo hi
              test:
                steps:
                  - run: echo test
            workflows:
              w:
                jobs: [build, test]
            """));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("token not-a-real-token")]
    [InlineData("Bearer ")]
    public async Task Without_a_valid_token_the_api_answers_401(string? authorization)
    {
        using var client = _server.ClientFor(null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/projects");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        await Expect.ProblemAsync(await client.SendAsync(request), 401, ErrorCodes.Unauthorized);
    }

    [Theory]
    [InlineData("Authorization", "token {0}")]
    [InlineData("Authorization", "Bearer {0}")]
    [InlineData("Circle-Token", "{0}")]
    public async Task The_token_is_accepted_in_each_of_the_three_headers(string header, string format)
    {
        var token = File.ReadAllText(Path.Combine(_data.Path, "admin-token")).Trim();
        using var client = _server.ClientFor(null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/me");
        request.Headers.TryAddWithoutValidation(header, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, token));
        var response = await client.SendAsync(request);
        await Expect.StatusAsync(response, 200);
        Assert.Equal("admin", (await response.Content.ReadFromJsonAsync<UserView>(ApiJson.Options))!.Name);
    }

    [Fact]
    public void The_admin_token_file_is_readable_by_its_owner_only()
    {
        var mode = File.GetUnixFileMode(Path.Combine(_data.Path, "admin-token"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task A_pipeline_id_given_as_a_job_id_names_the_pipelines_jobs()
    {
        var pipeline = await _server.TriggerAsync("app");
        var jobIds = pipeline.Workflows[0].Jobs.Select(j => j.Id).ToList();

        // Pipelines and jobs draw from one number space, so a pipeline's id is never also a job's.
        var id = pipeline.Id;
        Assert.DoesNotContain(id, jobIds);
        await _server.WaitForPipelineAsync(pipeline.Id);
        var problem = await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{id}"), 404, ErrorCodes.PipelineIdNotJobId);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains($"{id} is a pipeline id", detail);
        foreach (var jobId in jobIds)
        {
            Assert.Contains(jobId.ToString(System.Globalization.CultureInfo.InvariantCulture), detail);
        }

        Assert.Equal(jobIds, problem.GetProperty("job_ids").EnumerateArray().Select(e => e.GetInt64()));
        await Expect.ProblemAsync(await _server.Client.PostAsync($"/api/jobs/{id}/rerun", JsonContent.Create(new { })), 404, ErrorCodes.PipelineIdNotJobId);
    }

    [Fact]
    public async Task A_workflow_id_given_as_a_job_id_names_the_workflows_jobs()
    {
        var pipeline = await _server.TriggerAsync("app");
        var workflow = Assert.Single(pipeline.Workflows);
        var jobIds = workflow.Jobs.Select(j => j.Id).ToList();
        var id = workflow.Id;
        Assert.DoesNotContain(id, jobIds);
        await _server.WaitForPipelineAsync(pipeline.Id);

        var problem = await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/jobs/{id}/log?node=0"), 404, ErrorCodes.WorkflowIdNotJobId);
        Assert.Equal(
            $"{id} is a workflow id, not a job id. Workflow {id} (of pipeline {pipeline.Id}) has jobs {string.Join(", ", jobIds)}: use one of those.",
            problem.GetProperty("detail").GetString());
        Assert.Equal(id, problem.GetProperty("workflow_id").GetInt64());
        Assert.False(problem.TryGetProperty("pipeline_id", out _));
        Assert.Equal(jobIds, problem.GetProperty("job_ids").EnumerateArray().Select(e => e.GetInt64()));
        await Expect.ProblemAsync(await _server.Client.PostAsync($"/api/jobs/{id}/rerun", JsonContent.Create(new { })), 404, ErrorCodes.WorkflowIdNotJobId);

        // And the other way round: a workflow id where a pipeline id belongs names its pipeline.
        var notPipeline = await Expect.ProblemAsync(await _server.Client.GetAsync($"/api/pipelines/{id}"), 404, ErrorCodes.PipelineNotFound);
        Assert.Contains($"{id} is a workflow id: workflow {id} belongs to pipeline {pipeline.Id}.", notPipeline.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/jobs/abc", 400, ErrorCodes.InvalidRequest)]
    [InlineData("/api/jobs/-1", 400, ErrorCodes.InvalidRequest)]
    [InlineData("/api/jobs/99999999999999999999", 400, ErrorCodes.InvalidRequest)]
    [InlineData("/api/jobs/424242", 404, ErrorCodes.JobNotFound)]
    [InlineData("/api/pipelines/424242", 404, ErrorCodes.PipelineNotFound)]
    [InlineData("/api/projects/nope", 404, ErrorCodes.ProjectNotFound)]
    [InlineData("/api/projects/nope/pipelines", 404, ErrorCodes.ProjectNotFound)]
    [InlineData("/api/no/such/route", 404, ErrorCodes.NotFound)]
    public async Task Wrong_ids_and_routes_get_clear_problems(string path, int status, string code)
    {
        await Expect.ProblemAsync(await _server.Client.GetAsync(path), status, code);
    }

    [Theory]
    [InlineData("/api/projects", "{not json")]
    [InlineData("/api/projects", "[1,2,3]")]
    [InlineData("/api/projects", "{\"name\": 5, \"repository\": {}}")]
    [InlineData("/api/projects", "{}")]
    [InlineData("/api/projects", "{\"name\": \"../etc\", \"repository\": \"/tmp\"}")]
    [InlineData("/api/projects", "{\"name\": \"ok\", \"repository\": \"--upload-pack=touch /tmp/x\"}")]
    [InlineData("/api/projects", "{\"name\": \"ok\", \"repository\": \"/tmp\", \"visibility\": \"secret\"}")]
    [InlineData("/api/projects/app/pipelines", "{\"ref\": \"--output=/tmp/x\"}")]
    [InlineData("/api/projects/app/pipelines", "{\"commit\": \"not hex\"}")]
    [InlineData("/api/projects/app/pipelines", "{\"ref\": 12}")]
    public async Task Malformed_bodies_get_400_problems(string path, string body)
    {
        var response = await _server.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        await Expect.ProblemAsync(response, 400, ErrorCodes.InvalidRequest);
    }

    [Fact]
    public async Task Env_vars_refuse_bad_names_and_never_show_secret_values()
    {
        var bad = await _server.Client.PutAsJsonAsync("/api/projects/app/env/1BAD", new SetVariableRequest("x", false), ApiJson.Options);
        await Expect.ProblemAsync(bad, 400, ErrorCodes.InvalidRequest);
        var missing = await _server.Client.PutAsync("/api/projects/app/env/GOOD", new StringContent("{}", Encoding.UTF8, "application/json"));
        await Expect.ProblemAsync(missing, 400, ErrorCodes.InvalidRequest);

        var put = await _server.Client.PutAsJsonAsync("/api/projects/app/env/TOKEN", new SetVariableRequest("very-secret-value", true), ApiJson.Options);
        await Expect.StatusAsync(put, 200);
        Assert.DoesNotContain("very-secret-value", await put.Content.ReadAsStringAsync());
        var list = await _server.Client.GetStringAsync("/api/projects/app/env");
        Assert.Contains("TOKEN", list);
        Assert.DoesNotContain("very-secret-value", list);
    }

    [Fact]
    public async Task Triggers_that_cannot_make_a_pipeline_say_why()
    {
        await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest("no-such-branch", null), ApiJson.Options), 404, ErrorCodes.RefNotFound);
        await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, "abcdef1234"), ApiJson.Options), 404, ErrorCodes.RefNotFound);

        _repository.Run("rm", "--quiet", ".circleci/config.yml");
        _repository.Commit("no config");
        var noConfig = await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest("main", null), ApiJson.Options), 422, ErrorCodes.ConfigNotFound);
        Assert.Contains(".circleci/config.yml", noConfig.GetProperty("detail").GetString());

        _repository.Commit("bad config", (".circleci/config.yml", "version: 2.1\norbs:\n  node: circleci/node@5\njobs:\n  build:\n    steps: [checkout]\n"));
        var invalid = await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest("main", null), ApiJson.Options), 422, ErrorCodes.ConfigInvalid);
        var error = invalid.GetProperty("errors")[0];
        Assert.Equal((3, 9), (error.GetProperty("line").GetInt32(), error.GetProperty("column").GetInt32()));
        Assert.Contains("orb circleci/node@5 is not in the orb store", error.GetProperty("message").GetString());
        Assert.Equal("registry orbs", error.GetProperty("feature").GetString());

        await _server.AddProjectAsync("gone", "/nonexistent/repository");
        await Expect.ProblemAsync(await _server.Client.PostAsJsonAsync("/api/projects/gone/pipelines", new TriggerRequest(null, null), ApiJson.Options), 422, ErrorCodes.RepositoryUnreachable);
    }

    [Fact]
    public async Task Roles_decide_who_may_see_and_who_may_trigger()
    {
        var reader = await _server.CreateUserAsync("reader");
        var stranger = await _server.CreateUserAsync("stranger");
        var member = await _server.Client.PutAsJsonAsync("/api/projects/app/members/reader", new { role = "read" });
        await Expect.StatusAsync(member, 204);

        using var readerClient = _server.ClientFor(reader);
        using var strangerClient = _server.ClientFor(stranger);
        await Expect.StatusAsync(await readerClient.GetAsync("/api/projects/app"), 200);
        var forbidden = await Expect.ProblemAsync(await readerClient.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null), ApiJson.Options), 403, ErrorCodes.Forbidden);
        Assert.Contains("write", forbidden.GetProperty("detail").GetString());

        // A private project is invisible to a user who is not a member.
        await Expect.ProblemAsync(await strangerClient.GetAsync("/api/projects/app"), 404, ErrorCodes.ProjectNotFound);
        Assert.Equal("[]", await strangerClient.GetStringAsync("/api/projects"));

        // A public one is readable by anyone signed in, but not writable.
        await _server.AddProjectAsync("open", _repository.Path, "public");
        await Expect.StatusAsync(await strangerClient.GetAsync("/api/projects/open"), 200);
        await Expect.ProblemAsync(await strangerClient.PostAsJsonAsync("/api/projects/open/pipelines", new TriggerRequest(null, null), ApiJson.Options), 403, ErrorCodes.Forbidden);
    }

    [Fact]
    public async Task The_openapi_document_is_served()
    {
        using var client = _server.ClientFor(null);
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/jobs/{id}/rerun", out _));
    }
}
