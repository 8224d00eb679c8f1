using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Porthole.Cli.Hosting;
using Porthole.Contracts.Api;
using Porthole.Server;

namespace Porthole.Bench;

/// <summary>The embedded server in this process, on a free loopback port, with a temporary data folder and git repository.</summary>
public sealed class BenchServer : IAsyncDisposable
{
    private readonly EmbeddedServer _server;
    private readonly string _root;

    private BenchServer(EmbeddedServer server, string root, HttpClient client)
    {
        _server = server;
        _root = root;
        Client = client;
    }

    public HttpClient Client { get; }

    public string Root => _root;

    public static async Task<BenchServer> StartAsync(string config, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var root = Directory.CreateTempSubdirectory("porthole-bench-").FullName;
        var repository = BenchRepository.Create(Path.Combine(root, "repository"), config);

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var all = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var data = Path.Combine(root, "data");
        var server = await EmbeddedServer.StartAsync(new ServerHostOptions(data, $"http://127.0.0.1:{port}", false, all), CancellationToken.None);
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim());
        var created = await client.PostAsJsonAsync("/api/projects", new CreateProjectRequest("bench", repository, null), ApiJson.Options);
        created.EnsureSuccessStatusCode();
        return new BenchServer(server, root, client);
    }

    public async Task<PipelineView> TriggerAsync()
    {
        var response = await Client.PostAsJsonAsync("/api/projects/bench/pipelines", new TriggerRequest("main", null), ApiJson.Options);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;
    }

    public async Task<JobView> WaitForJobAsync(long jobId, Func<JobView, bool> until)
    {
        while (true)
        {
            var job = (await Client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!;
            if (until(job))
            {
                return job;
            }

            await Task.Delay(5);
        }
    }

    /// <summary>A job's status and its whole log, for a bench to print when the job did not succeed.</summary>
    public async Task<string> DescribeAsync(JobView job)
    {
        using var response = await Client.GetAsync($"/api/jobs/{job.Id}/log");
        return $"job '{job.Name}' ({job.Id}) ended {job.Status}; GET /api/jobs/{job.Id}/log answered {(int)response.StatusCode}:\n{await response.Content.ReadAsStringAsync()}";
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        Client.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
