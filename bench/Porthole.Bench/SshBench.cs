using System.Net.Http.Json;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>
/// What every SSH and debug benchmark starts from: the bench server, a finished one-step job, and a key of the
/// admin's, registered; plus pinning a node's host key for the real ssh client.
/// </summary>
public sealed class SshBench : IAsyncDisposable
{
    private SshBench(BenchServer server, string key, string publicLine, long jobId)
    {
        Server = server;
        Key = key;
        PublicLine = publicLine;
        JobId = jobId;
    }

    public BenchServer Server { get; }

    /// <summary>The private key's path.</summary>
    public string Key { get; }

    public string PublicLine { get; }

    public long JobId { get; }

    public string KnownHosts => Path.Combine(Server.Root, "known_hosts");

    public static async Task<SshBench> StartAsync()
    {
        var server = await BenchServer.StartAsync("version: 2\njobs:\n  build:\n    steps:\n      - run: echo hi\n");
        var (key, publicLine) = SshTools.MakeKey(server.Root, "bench_key");
        (await server.Client.PostAsJsonAsync("/api/users/me/keys", new AddKeyRequest(publicLine, null), ApiJson.Options)).EnsureSuccessStatusCode();
        var pipeline = await server.TriggerAsync();
        var jobId = pipeline.Workflows[0].Jobs[0].Id;
        await server.WaitForJobAsync(jobId, j => Status.IsFinished(j.Status));
        return new SshBench(server, key, publicLine, jobId);
    }

    /// <summary>Waits for node 0 of the job's latest SSH or debug attempt and pins its host key.</summary>
    public async Task<SshNodeView> WaitForNodeAsync()
    {
        var node = await SshEndpoint.WaitAsync(Server, JobId);
        await File.WriteAllTextAsync(KnownHosts, $"[{node.Host}]:{node.Port} {node.HostKey}\n");
        return node;
    }

    /// <summary>Cancels the job's latest attempt and waits for its end.</summary>
    public async Task EndAttemptAsync()
    {
        (await Server.Client.PostAsync($"/api/jobs/{JobId}/cancel", null)).EnsureSuccessStatusCode();
        await Server.WaitForJobAsync(JobId, j => Status.IsFinished(j.Attempts[^1].Status));
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
