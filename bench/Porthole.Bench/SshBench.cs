using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>
/// What every SSH and debug benchmark starts from: the bench server, finished one-step jobs (by default one, on the
/// shell executor), and a key of the admin's, registered; plus pinning a node's host key for the real ssh client.
/// </summary>
public sealed class SshBench : IAsyncDisposable
{
    /// <summary>The name of the job on the shell executor in the SSH benches' configs.</summary>
    public const string ShellJob = "build";

    /// <summary>One job, <see cref="ShellJob"/>, of one step.</summary>
    private const string ShellConfig = $"version: 2\njobs:\n  {ShellJob}:\n    steps:\n      - run: echo hi\n";

    /// <summary>How long a rerun may take to let ssh in before the bench gives up on it (a docker node spins up a container first).</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);

    private readonly IReadOnlyDictionary<string, long> _jobs;

    private SshBench(BenchServer server, string key, string publicLine, IReadOnlyDictionary<string, long> jobs)
    {
        Server = server;
        Key = key;
        PublicLine = publicLine;
        _jobs = jobs;
    }

    public BenchServer Server { get; }

    /// <summary>The private key's path.</summary>
    public string Key { get; }

    public string PublicLine { get; }

    /// <summary>The job named <see cref="ShellJob"/>.</summary>
    public long JobId => JobIdOf(ShellJob);

    public string KnownHosts => Path.Combine(Server.Root, "known_hosts");

    /// <summary>Starts the server on <paramref name="config"/>, triggers it and waits until each of its jobs has succeeded.</summary>
    public static async Task<SshBench> StartAsync(string config = ShellConfig)
    {
        var server = await BenchServer.StartAsync(config);
        try
        {
            var (key, publicLine) = SshTools.MakeKey(server.Root, "bench_key");
            (await server.Client.PostAsJsonAsync("/api/users/me/keys", new AddKeyRequest(publicLine, null), ApiJson.Options)).EnsureSuccessStatusCode();
            var pipeline = await server.TriggerAsync();
            var jobs = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var job in pipeline.Workflows.SelectMany(w => w.Jobs))
            {
                var finished = await server.WaitForJobAsync(job.Id, j => Status.IsFinished(j.Status));
                if (finished.Status != Status.Success)
                {
                    throw new InvalidOperationException(await server.DescribeAsync(finished));
                }

                jobs[job.Name] = job.Id;
            }

            return new SshBench(server, key, publicLine, jobs);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public long JobIdOf(string name) => _jobs[name];

    /// <summary>Waits for node 0 of the job's latest SSH or debug attempt and pins its host key.</summary>
    public Task<SshNodeView> WaitForNodeAsync() => WaitForNodeAsync(JobId);

    /// <inheritdoc cref="WaitForNodeAsync()"/>
    public async Task<SshNodeView> WaitForNodeAsync(long jobId, CancellationToken cancellationToken = default)
    {
        var node = await SshEndpoint.WaitAsync(Server, jobId, cancellationToken);
        await File.WriteAllTextAsync(KnownHosts, $"[{node.Host}]:{node.Port} {node.HostKey}\n", cancellationToken);
        return node;
    }

    /// <summary>Reruns the job with SSH (<c>POST /api/jobs/ID/rerun {"ssh": true}</c>) and waits for its node.</summary>
    public async Task<SshNodeView> RerunWithSshAsync(long jobId, CancellationToken cancellationToken = default)
    {
        (await Server.Client.PostAsJsonAsync($"/api/jobs/{jobId}/rerun", new RerunRequest(null, true), ApiJson.Options, cancellationToken)).EnsureSuccessStatusCode();
        return await WaitForNodeAsync(jobId, cancellationToken);
    }

    /// <summary>
    /// bench/ssh-ready's figure: from the rerun request to the first successful <c>ssh … true</c> (or another
    /// <paramref name="command"/>) into the job's node, in milliseconds; the node it got into and what the command printed.
    /// The node ends by itself once that session has closed (the Wait for SSH rules); <see cref="EndAttemptAsync(long)"/> waits for it.
    /// </summary>
    public async Task<(double Milliseconds, SshNodeView Node, string Output)> RerunUntilSshAsync(long jobId, string command = "true")
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        var watch = Stopwatch.StartNew();
        var refused = "no ssh yet: the node's endpoint never came up";
        try
        {
            var node = await RerunWithSshAsync(jobId, timeout.Token);
            while (true)
            {
                var (exitCode, output, error) = await SshTools.RunAsync(Key, KnownHosts, node.User!, node.Host!, node.Port!.Value, command);
                if (exitCode == 0)
                {
                    return (watch.Elapsed.TotalMilliseconds, node, output);
                }

                refused = $"the last ssh … '{command}' exited {exitCode}: {error.Trim()}";
                await Task.Delay(5, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var job = (await Server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!;
            throw new TimeoutException($"job {jobId}'s rerun with SSH let no ssh … '{command}' succeed within {ReadyTimeout.TotalMinutes} minutes ({refused}); {await Server.DescribeAsync(job)}");
        }
    }

    /// <summary>Cancels the job's latest attempt, unless it has ended by itself already, and waits for its end.</summary>
    public Task EndAttemptAsync() => EndAttemptAsync(JobId);

    /// <inheritdoc cref="EndAttemptAsync()"/>
    public async Task EndAttemptAsync(long jobId)
    {
        using var canceled = await Server.Client.PostAsync($"/api/jobs/{jobId}/cancel", null);
        if (canceled.StatusCode != HttpStatusCode.Conflict)
        {
            canceled.EnsureSuccessStatusCode();
        }

        await Server.WaitForJobAsync(jobId, j => Status.IsFinished(j.Attempts[^1].Status));
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
