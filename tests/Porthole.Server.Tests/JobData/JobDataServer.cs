using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Data;
using Porthole.Server.Runners;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// The real server (API, scheduler, SQLite in a data folder of the test's) with no runner of its own: the test leases
/// nodes from the real <see cref="RunnerService"/> and makes the protocol's job-data calls as a runner would, so it
/// decides what each node stores and when it ends.
/// </summary>
public sealed class JobDataServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private JobDataServer(WebApplication app, string dataDirectory, Uri address)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Address = address;
        Client = ClientFor(File.ReadAllText(Path.Combine(dataDirectory, "admin-token")).Trim());
    }

    public string DataDirectory { get; }

    public Uri Address { get; }

    /// <summary>A client signed in as the admin user.</summary>
    public HttpClient Client { get; }

    public RunnerService Runner => Get<RunnerService>();

    /// <summary>Starts the server; with <paramref name="database"/> (a PostgreSQL connection string) its state is kept there.</summary>
    public static async Task<JobDataServer> StartAsync(
        string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? time = null, string? database = null)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort.Pick()}");
        var merged = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }

        database ??= await TestDatabase.ForAsync(dataDirectory);
        if (database is not null)
        {
            merged["Porthole:Database"] = database;
        }

        var app = ServerApp.Build(
            new ServerHostOptions(dataDirectory, address.ToString().TrimEnd('/'), Demo: false, merged),
            services =>
            {
                if (time is not null)
                {
                    services.AddSingleton(time);
                }
            });
        await ServerApp.InitializeAsync(app, CancellationToken.None);
        await app.StartAsync();
        return new JobDataServer(app, dataDirectory, address);
    }

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

    public async Task<string> CreateUserAsync(string name)
    {
        var response = await Client.PostAsJsonAsync("/api/users", new { name });
        await Expect.StatusAsync(response, 201);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
    }

    public async Task<PipelineView> TriggerAsync(string project, string? gitRef = null)
    {
        var response = await Client.PostAsJsonAsync($"/api/projects/{project}/pipelines", new TriggerRequest(gitRef, null), ApiJson.Options);
        await Expect.StatusAsync(response, 201);
        return (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;
    }

    /// <summary>Leases the next queued node, as a runner would; fails when nothing is queued.</summary>
    public async Task<NodeAssignment> LeaseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Runner.LeaseAsync("test-runner", timeout.Token) ?? throw new InvalidOperationException("nothing was queued");
    }

    /// <summary>Leases queued nodes until it has the one of <paramref name="job"/> (and of <paramref name="index"/>); the others stay leased.</summary>
    public async Task<NodeAssignment> LeaseAsync(string job, int index = 0, List<NodeAssignment>? others = null)
    {
        while (true)
        {
            var lease = await LeaseAsync();
            if (lease.Job.Name == job && lease.NodeIndex == index)
            {
                return lease;
            }

            others?.Add(lease);
        }
    }

    public Task CompleteAsync(NodeAssignment node, NodeResult result = NodeResult.Success) =>
        Runner.CompleteNodeAsync(node.NodeId, new NodeCompletion(result, null), CancellationToken.None);

    /// <summary>Uploads <paramref name="bytes"/> in one call, expecting it complete; returns the digest.</summary>
    public async Task<string> UploadAsync(NodeAssignment node, byte[] bytes)
    {
        var digest = Digest(bytes);
        var result = await Runner.UploadBlobAsync(node.NodeId, digest, bytes.Length, 0, new MemoryStream(bytes), CancellationToken.None);
        Assert.True(result.Outcome == BlobUploadOutcome.Complete, $"upload not complete: {result}");
        return digest;
    }

    /// <summary>Reads a blob back through the protocol, as the node would; null when it may not.</summary>
    public async Task<byte[]?> DownloadAsync(NodeAssignment node, string digest, long offset = 0)
    {
        var download = await Runner.DownloadBlobAsync(node.NodeId, digest, offset, CancellationToken.None);
        if (download is null)
        {
            return null;
        }

        await using var content = download.Content;
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy);
        return copy.ToArray();
    }

    public static string Digest(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static byte[] RandomBytes(int count) => RandomNumberGenerator.GetBytes(count);

    public string BlobPath(string digest) => Path.Combine(DataDirectory, "blobs", digest[..2], digest);

    public string[] Partials() => Directory.GetFiles(Path.Combine(DataDirectory, "blobs", "uploads"));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
