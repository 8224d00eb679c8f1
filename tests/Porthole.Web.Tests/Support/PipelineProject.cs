using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Web.Tests.Support;

/// <summary>
/// A project of the test's own on a real git repository (its config given), with the API calls a pipeline page's test
/// makes behind the pages: trigger, wait, users, members, keys, the SSH view. Names are unique to the run.
/// </summary>
public sealed class PipelineProject : IDisposable
{
    private readonly WebFixture _web;

    private PipelineProject(WebFixture web, string name, GitRepository repository)
    {
        _web = web;
        Name = name;
        Repository = repository;
        Admin = ClientFor(web.AdminToken);
    }

    public string Name { get; }

    public GitRepository Repository { get; }

    /// <summary>The API as the server's admin (the project's creator).</summary>
    public HttpClient Admin { get; }

    public static async Task<PipelineProject> CreateAsync(WebFixture web, string prefix, string config)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        var repository = GitRepository.WithFiles((".circleci/config.yml", config));
        var project = new PipelineProject(web, name, repository);
        var created = await project.Admin.PostAsJsonAsync("/api/projects", new CreateProjectRequest(name, repository.Path, "private"), ApiJson.Options);
        await SucceedsAsync(created);
        return project;
    }

    public HttpClient ClientFor(string token) => new()
    {
        BaseAddress = _web.Address,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    public async Task<PipelineView> TriggerAsync()
    {
        var response = await Admin.PostAsJsonAsync($"/api/projects/{Name}/pipelines", new TriggerRequest("main", null), ApiJson.Options);
        await SucceedsAsync(response);
        return (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;
    }

    public async Task<JobView> JobAsync(long id) =>
        (await Admin.GetFromJsonAsync<JobView>($"/api/jobs/{id}", ApiJson.Options))!;

    public async Task<JobView> WaitForJobAsync(long id, Func<JobView, bool> until, int seconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            var job = await JobAsync(id);
            if (until(job))
            {
                return job;
            }

            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Job {id} did not get there in {seconds} s: {JsonSerializer.Serialize(job, ApiJson.Options)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Triggers the pipeline and waits for its first job's first attempt to end.</summary>
    public async Task<JobView> FinishedJobAsync()
    {
        var pipeline = await TriggerAsync();
        // The attempt's status and then the job's roll up one after the other: a job is finished when both say so.
        return await WaitForJobAsync(pipeline.Workflows[0].Jobs[0].Id, j => Status.IsFinished(j.Attempts[^1].Status) && Status.IsFinished(j.Status));
    }

    public async Task<JobSshView> SshViewAsync(long jobId) =>
        (await Admin.GetFromJsonAsync<JobSshView>($"/api/jobs/{jobId}/ssh", ApiJson.Options))!;

    /// <summary>A new user (a name unique to the run) with the project role given (none when null), and its token.</summary>
    public async Task<(string Name, string Token)> MemberAsync(string prefix, string? role)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        var created = await Admin.PostAsJsonAsync("/api/users", new { name });
        await SucceedsAsync(created);
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        if (role is not null)
        {
            await SucceedsAsync(await Admin.PutAsJsonAsync($"/api/projects/{Name}/members/{name}", new { role }));
        }

        return (name, token);
    }

    public static async Task AddKeyAsync(HttpClient client, SshKeyFile key) =>
        await SucceedsAsync(await client.PostAsJsonAsync("/api/users/me/keys", new AddKeyRequest(key.PublicLine, null), ApiJson.Options));

    public async Task SettingsAsync(ProjectSettingsRequest settings) =>
        await SucceedsAsync(await Admin.PutAsJsonAsync($"/api/projects/{Name}/settings", settings, ApiJson.Options));

    public void Dispose()
    {
        Admin.Dispose();
        Repository.Dispose();
    }

    private static async Task SucceedsAsync(HttpResponseMessage response) =>
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
}
