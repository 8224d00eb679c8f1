using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Porthole.Cli.Hosting;
using Porthole.Contracts.Api;

namespace Porthole.Server.Tests.Support;

/// <summary>
/// The real server with its built-in runner and SQLite, on a free loopback port, in a data folder of the test's.
/// Stopping it and starting another on the same folder is a server restart.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly EmbeddedServer _server;

    private RunningServer(EmbeddedServer server, string dataDirectory, Uri address)
    {
        _server = server;
        DataDirectory = dataDirectory;
        Address = address;
        var token = File.ReadAllText(Path.Combine(dataDirectory, "admin-token")).Trim();
        Client = ClientFor(token);
    }

    public string DataDirectory { get; }

    public Uri Address { get; }

    /// <summary>A client signed in as the admin user.</summary>
    public HttpClient Client { get; }

    /// <summary>
    /// Starts the server on <paramref name="dataDirectory"/>; with <paramref name="database"/> (a PostgreSQL connection
    /// string, <c>Porthole:Database</c>) its state is kept there instead of in SQLite.
    /// </summary>
    public static async Task<RunningServer> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null, string? database = null)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort.Pick()}");
        var merged = new Dictionary<string, string?>
        {
            ["Runner:HeartbeatInterval"] = "00:00:00.200",

            // CircleCI's rule, which the tests of SSH reruns were written for: the node ends as its last session closes.
            // The tests of the grace period (R-BEY-4) set their own.
            ["Porthole:SshGracePeriod"] = "00:00:00",
            ["Runner:Concurrency"] = "8",
            ["Runner:LogFlushInterval"] = "00:00:00.050",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }

        database ??= await TestDatabase.ForAsync(dataDirectory);
        if (database is not null)
        {
            merged["Porthole:Database"] = database;
        }

        var server = await EmbeddedServer.StartAsync(
            new ServerHostOptions(dataDirectory, address.ToString().TrimEnd('/'), Demo: false, merged), CancellationToken.None);
        return new RunningServer(server, dataDirectory, address);
    }

    public HttpClient ClientFor(string? token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task<ProjectView> AddProjectAsync(string name, string repository, string visibility = "private")
    {
        var response = await Client.PostAsJsonAsync("/api/projects", new CreateProjectRequest(name, repository, visibility), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<ProjectView>(ApiJson.Options))!;
    }

    /// <summary>Adds a user as the admin and returns the new user's token.</summary>
    public async Task<string> CreateUserAsync(string name)
    {
        var response = await Client.PostAsJsonAsync("/api/users", new { name });
        await Expect.StatusAsync(response, 201);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
    }

    public async Task<PipelineView> TriggerAsync(string project, string? gitRef = null, string? commit = null)
    {
        var response = await Client.PostAsJsonAsync($"/api/projects/{project}/pipelines", new TriggerRequest(gitRef, commit), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;
    }

    public async Task<PipelineView> PipelineAsync(long id) =>
        (await Client.GetFromJsonAsync<PipelineView>($"/api/pipelines/{id}", ApiJson.Options))!;

    public async Task<JobView> JobAsync(long id) =>
        (await Client.GetFromJsonAsync<JobView>($"/api/jobs/{id}", ApiJson.Options))!;

    public async Task<string> LogAsync(long jobId, int node = 0, int? attempt = null)
    {
        var query = attempt is null ? $"node={node}" : $"node={node}&attempt={attempt}";
        return await Client.GetStringAsync($"/api/jobs/{jobId}/log?{query}");
    }

    /// <summary>Waits (polling the API) until the pipeline has finished; fails the test after the limit.</summary>
    public async Task<PipelineView> WaitForPipelineAsync(long id, int seconds = 60)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(seconds);
        while (true)
        {
            var pipeline = await PipelineAsync(id);
            if (Status.IsFinished(pipeline.Status))
            {
                return pipeline;
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"pipeline {id} still {pipeline.Status} after {seconds}s: {JsonSerializer.Serialize(pipeline, ApiJson.Options)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The job's SSH view (GET /api/jobs/ID/ssh) once <paramref name="until"/> holds.</summary>
    public async Task<JobSshView> WaitForSshViewAsync(long jobId, Func<JobSshView, bool> until)
    {
        JobSshView? view = null;
        for (var i = 0; i < 600; i++)
        {
            var response = await Client.GetAsync($"/api/jobs/{jobId}/ssh");
            if (response.IsSuccessStatusCode)
            {
                view = (await response.Content.ReadFromJsonAsync<JobSshView>(ApiJson.Options))!;
                if (until(view))
                {
                    return view;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"the SSH view never got there: {JsonSerializer.Serialize(view, ApiJson.Options)}");
    }

    /// <summary>The job's log (node 0, latest attempt) once it holds <paramref name="text"/>.</summary>
    public async Task<string> WaitForLogAsync(long jobId, string text)
    {
        var log = "";
        for (var i = 0; i < 400; i++)
        {
            log = await LogAsync(jobId);
            if (log.Contains(text, StringComparison.Ordinal))
            {
                return log;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"'{text}' never reached the log:\n{log}");
    }

    public async Task<JobView> WaitForJobAsync(long id, Func<JobView, bool> until, int seconds = 60)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(seconds);
        while (true)
        {
            var job = await JobAsync(id);
            if (until(job))
            {
                return job;
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"job {id} did not get there in {seconds}s: {JsonSerializer.Serialize(job, ApiJson.Options)}");
            }

            await Task.Delay(50);
        }
    }

    public async Task StopAsync()
    {
        await _server.StopAsync();
        Client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
    }
}
