using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Runners.Http;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Data;

/// <summary>
/// Two servers on one PostgreSQL database and one data folder (issue 14, decision 19): what happens on one wakes the
/// waiters of the other through LISTEN/NOTIFY — a runner waiting in a lease on one is handed work queued on the other,
/// a live-log reader on one sees each chunk a runner sends to the other within a second — and a chunk sent to both at
/// once is stored once.
/// </summary>
public sealed class ServersShareWakeUpsTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IDisposable
{
    private readonly TempFolder _data = new();
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        _disposables.ForEach(d => d.Dispose());
        _data.Dispose();
    }

    [Fact]
    public async Task Work_queued_on_one_server_wakes_a_runner_waiting_on_the_other_and_its_log_reaches_a_reader_there_within_a_second()
    {
        var (a, b) = await StartServersAsync();
        await using var _a = a;
        await using var _b = b;
        var runner = await RunnerOnAsync(a, b, "far");

        // The runner waits in a lease on b; the pipeline is triggered on a. Without a wake-up from a, b's lease would look
        // again only after its 5 s resolution.
        var leasing = runner.LeaseAsync(15);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(leasing.IsCompleted, "the lease answered before any work was queued");
        var triggered = Stopwatch.StartNew();
        await a.TriggerAsync("p");
        var lease = await leasing;
        var pickUp = triggered.Elapsed;
        Assert.NotNull(lease);
        Assert.True(pickUp < TimeSpan.FromSeconds(2.5), $"the runner on b was handed the node {pickUp.TotalMilliseconds:F0} ms after it was queued on a");

        // A reader on b follows the log the runner sends to a.
        string OnA(string path) => new Uri(a.Address, path).ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/jobs/{lease!.JobId}/log/stream?node=0");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await b.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        const int Lines = 12;
        var sentAt = new TimeSpan[Lines];
        var seenAt = new TimeSpan[Lines];
        var clock = Stopwatch.StartNew();
        var text = new StringBuilder();
        string? end = null;
        var reading = Task.Run(async () =>
        {
            await foreach (var (name, payload) in ServerSentEvents.ReadAsync(reader))
            {
                if (name == "log")
                {
                    text.Append(payload.GetProperty("text").GetString());
                    var lines = text.ToString().Count(c => c == '\n');
                    for (var i = 0; i < lines; i++)
                    {
                        seenAt[i] = seenAt[i] == TimeSpan.Zero ? clock.Elapsed : seenAt[i];
                    }
                }
                else if (name == "end")
                {
                    end = payload.GetProperty("status").GetString();
                    break;
                }
            }
        });

        long offset = 0;
        for (var i = 0; i < Lines; i++)
        {
            // Spread over the reader's 1 s look-again, so that only a wake-up explains quick arrivals.
            await Task.Delay(TimeSpan.FromMilliseconds(170));
            var line = Encoding.UTF8.GetBytes($"line {i}\n");
            sentAt[i] = clock.Elapsed;
            var put = await runner.SendAsync(HttpMethod.Put, OnA(RunnerHttp.Log(lease.NodeId, offset)), lease.LeaseToken, RunnerHttpClient.Bytes(line));
            Assert.True(put.IsSuccessStatusCode, $"log chunk {i}: {(int)put.StatusCode}");
            offset += line.Length;
        }

        var completed = await runner.SendAsync(HttpMethod.Post, OnA(RunnerHttp.Complete(lease.NodeId)), lease.LeaseToken,
            RunnerHttpClient.Json(new NodeCompletion(NodeResult.Success, null)));
        await Expect.StatusAsync(completed, 204);
        await reading.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Status.Success, end);
        Assert.Equal(string.Concat(Enumerable.Range(0, Lines).Select(i => $"line {i}\n")), text.ToString());
        var delays = Enumerable.Range(0, Lines).Select(i => seenAt[i] - sentAt[i]).Order().ToList();
        var shown = string.Join(", ", delays.Select(d => $"{d.TotalMilliseconds:F0}"));
        Assert.True(delays[^1] < TimeSpan.FromSeconds(1), $"a line reached the reader on b more than a second after it was sent to a (ms: {shown})");

        // The reader's own look-again (once a second) alone would put the median near 500 ms.
        Assert.True(delays[Lines / 2] < TimeSpan.FromMilliseconds(300), $"the lines reached b by its look-again, not by a wake-up (ms: {shown})");
    }

    [Fact]
    public async Task An_append_on_one_server_waits_for_the_other_servers_append_to_the_same_log_and_stores_its_bytes_once()
    {
        var (a, b) = await StartServersAsync();
        await using var _a = a;
        await using var _b = b;
        var runner = await RunnerOnAsync(a, b, "retrying");
        await a.TriggerAsync("p");
        var lease = await runner.LeaseAsync(15);
        Assert.NotNull(lease);

        // Server a is writing the chunk (it holds the node's log lock) when the runner's retry of it reaches server b.
        var chunk = Encoding.UTF8.GetBytes("the first chunk\n");
        var logFile = Path.Combine(a.DataDirectory, "logs", $"{lease!.NodeId}.log");
        var writing = await a.Get<Porthole.Server.Data.ServerDatabase>().LockNodeLogAsync(lease.NodeId, CancellationToken.None);
        Assert.NotNull(writing);
        var retry = runner.SendAsync(HttpMethod.Put, RunnerHttp.Log(lease.NodeId, 0), lease.LeaseToken, RunnerHttpClient.Bytes(chunk));
        await Task.WhenAny(retry, Task.Delay(TimeSpan.FromSeconds(1.5)));
        Assert.False(retry.IsCompleted, "server b appended to the log while server a held its lock");
        await File.AppendAllBytesAsync(logFile, chunk);
        writing!.Dispose();

        // b then finds the bytes stored, and adds none.
        var answer = await retry;
        Assert.True(answer.IsSuccessStatusCode, $"{(int)answer.StatusCode}");
        Assert.Equal("the first chunk\n", await b.Client.GetStringAsync($"/api/jobs/{lease.JobId}/log"));
        var next = Encoding.UTF8.GetBytes("the second chunk\n");
        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Put, RunnerHttp.Log(lease.NodeId, chunk.Length), lease.LeaseToken, RunnerHttpClient.Bytes(next)), 200);
        Assert.Equal("the first chunk\nthe second chunk\n", await a.Client.GetStringAsync($"/api/jobs/{lease.JobId}/log"));
    }

    private async Task<(JobDataServer A, JobDataServer B)> StartServersAsync()
    {
        var database = await cluster.CreateDatabaseAsync();
        var a = await JobDataServer.StartAsync(_data.Path, database: database);
        var b = await JobDataServer.StartAsync(_data.Path, database: database);
        var repository = GitRepository.WithFiles((".circleci/config.yml", "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps: [{run: \"true\"}]\n"));
        _disposables.Add(repository);
        await a.AddProjectAsync("p", repository.Path);
        return (a, b);
    }

    /// <summary>A runner with a token made on <paramref name="maker"/>, registered through <paramref name="server"/>.</summary>
    private async Task<RunnerHttpClient> RunnerOnAsync(JobDataServer maker, JobDataServer server, string name)
    {
        var runner = await RunnerHttpClient.CreateAsync(maker, name);
        _disposables.Add(runner);
        runner.Http.BaseAddress = server.Address;
        await Expect.StatusAsync(await runner.RegisterAsync(), 200);
        return runner;
    }
}
