using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porthole.Cli.Hosting;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Triggers;

/// <summary>
/// The real server with its built-in runner (shell executor) and SQLite in a data folder of the test's, with its services
/// at hand: the tests reach the schedule store and make schedulers of their own on a clock they move. Starting another on
/// the same folder is a restart. Also signs webhook deliveries as GitHub does, with its own HMAC.
/// </summary>
public sealed class TriggerServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private TriggerServer(WebApplication app, string dataDirectory, Uri address)
    {
        _app = app;
        Address = address;
        Client = ClientFor(File.ReadAllText(Path.Combine(dataDirectory, "admin-token")).Trim());
    }

    public Uri Address { get; }

    /// <summary>A client signed in as the admin user.</summary>
    public HttpClient Client { get; }

    public static async Task<TriggerServer> StartAsync(string dataDirectory)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort.Pick()}");
        var settings = new Dictionary<string, string?>
        {
            ["Runner:HeartbeatInterval"] = "00:00:00.200",
            ["Runner:Concurrency"] = "8",
            ["Runner:LogFlushInterval"] = "00:00:00.050",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var app = ServerApp.Build(
            new ServerHostOptions(dataDirectory, address.ToString().TrimEnd('/'), Demo: false, settings), EmbeddedServer.BuiltInRunner(dataDirectory));
        await ServerApp.InitializeAsync(app, CancellationToken.None);
        await app.StartAsync();
        return new TriggerServer(app, dataDirectory, address);
    }

    /// <summary>The hex HMAC-SHA256 of <paramref name="body"/>, as GitHub puts it in <c>X-Hub-Signature-256</c>.</summary>
    public static string Signature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>A push payload as GitHub sends it (the fields Porthole reads, and some it does not).</summary>
    public static string PushPayload(string gitRef, string after, string cloneUrl, string fullName, bool deleted = false) =>
        JsonSerializer.Serialize(new
        {
            @ref = gitRef,
            before = new string('0', 40),
            after,
            created = !deleted,
            deleted,
            forced = false,
            repository = new { id = 1, name = fullName.Split('/')[1], full_name = fullName, clone_url = cloneUrl, html_url = $"https://github.com/{fullName}" },
            pusher = new { name = "octocat", email = "octocat@example.com" },
            commits = Array.Empty<object>(),
        });

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public PortholeDb Db() => Get<IDbContextFactory<PortholeDb>>().CreateDbContext();

    public HttpClient ClientFor(string? token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task AddProjectAsync(string name, string repository)
    {
        var response = await Client.PostAsJsonAsync("/api/projects", new CreateProjectRequest(name, repository, "private"), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
    }

    /// <summary>Makes the project's hook secret through the API and returns it.</summary>
    public async Task<string> HookSecretAsync(string project)
    {
        var response = await Client.PostAsJsonAsync($"/api/projects/{project}/hook", new CreateHookRequest(false), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<HookView>(ApiJson.Options))!.Secret!;
    }

    /// <summary>Posts a delivery as GitHub does, with no token: <paramref name="signature"/> null sends no signature header.</summary>
    public async Task<HttpResponseMessage> DeliverAsync(string project, string eventName, string delivery, byte[] body, string? signature)
    {
        using var anonymous = ClientFor(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/projects/{project}/hooks/github") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add("User-Agent", "GitHub-Hookshot/0000000");
        if (signature is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", signature);
        }

        var response = await anonymous.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public async Task<HttpResponseMessage> TriggerAsync(string project, object request) =>
        await Client.PostAsJsonAsync($"/api/projects/{project}/pipelines", request, ApiJson.Options);

    public async Task<List<PipelineView>> PipelinesAsync(string project) =>
        (await Client.GetFromJsonAsync<List<PipelineView>>($"/api/projects/{project}/pipelines", ApiJson.Options))!;

    public async Task<PipelineView> WaitForPipelineAsync(long id)
    {
        for (var i = 0; i < 1200; i++)
        {
            var pipeline = (await Client.GetFromJsonAsync<PipelineView>($"/api/pipelines/{id}", ApiJson.Options))!;
            if (Status.IsFinished(pipeline.Status))
            {
                return pipeline;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"pipeline {id} did not finish");
    }

    /// <summary>The log of the pipeline's first job, once the pipeline has finished.</summary>
    public async Task<string> FirstJobLogAsync(long pipelineId)
    {
        var pipeline = await WaitForPipelineAsync(pipelineId);
        var job = pipeline.Workflows.SelectMany(w => w.Jobs).First();
        return await Client.GetStringAsync($"/api/jobs/{job.Id}/log?node=0");
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
