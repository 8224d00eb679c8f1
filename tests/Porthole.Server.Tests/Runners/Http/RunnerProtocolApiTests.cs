using System.Net.Http.Json;
using System.Text;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Runners.Http;

/// <summary>
/// The runner protocol over HTTP (issue 14), spoken by hand against the real server: registration, a lease that hands
/// out a lease token, and every later call refused unless it carries the node's current lease, held by the caller.
/// </summary>
public sealed class RunnerProtocolApiTests : IAsyncLifetime
{
    private const string Shell = "language: shell\nscript: echo hi\n";
    private readonly TempFolder _data = new();
    private readonly List<IDisposable> _disposables = [];
    private JobDataServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await JobDataServer.StartAsync(_data.Path, new Dictionary<string, string?> { ["Porthole:LogCapBytes"] = "4096" });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _disposables.ForEach(d => d.Dispose());
        _data.Dispose();
    }

    [Fact]
    public async Task A_remote_runner_registers_leases_reports_and_completes_a_node_over_http()
    {
        var runner = await RunnerAsync("edge-1");
        var registered = await runner.RegisterAsync("gpu");
        await Expect.StatusAsync(registered, 200);
        var reply = (await registered.Content.ReadFromJsonAsync<RunnerRegisterReply>(ApiJson.Options))!;
        Assert.Equal("edge-1", reply.Name);
        Assert.Equal(["docker", "gpu", "linux", "machine"], reply.Labels);

        var jobId = await TriggerAsync("app", Shell);
        var lease = (await runner.LeaseAsync())!;
        Assert.Equal(jobId, lease.JobId);
        Assert.StartsWith("prl_", lease.LeaseToken, StringComparison.Ordinal);

        var heartbeat = await runner.SendAsync(HttpMethod.Post, RunnerHttp.Heartbeat(lease.NodeId), lease.LeaseToken);
        await Expect.StatusAsync(heartbeat, 200);
        Assert.False((await heartbeat.Content.ReadFromJsonAsync<HeartbeatReply>(ApiJson.Options))!.Canceled);

        // Log chunks by byte offset: a repeat is a no-op, a gap is refused with the stored length.
        var hello = Encoding.UTF8.GetBytes("hello from edge-1\n");
        Assert.Equal(new LogAppendResult(LogAppendOutcome.Appended, hello.Length), await AppendAsync(runner, lease, 0, hello));
        Assert.Equal(LogAppendOutcome.AlreadyStored, (await AppendAsync(runner, lease, 0, hello)).Outcome);
        Assert.Equal(new LogAppendResult(LogAppendOutcome.Gap, hello.Length), await AppendAsync(runner, lease, hello.Length + 10, hello));

        var started = TimeProvider.System.GetUtcNow();
        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Step(lease.NodeId), lease.LeaseToken,
            RunnerHttpClient.Json(new StepReport(0, "Run", StepState.Success, 0, 0, hello.Length, started, started))), 204);
        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Complete(lease.NodeId), lease.LeaseToken,
            RunnerHttpClient.Json(new NodeCompletion(NodeResult.Success, null))), 204);

        var job = await _server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options);
        Assert.Equal(Status.Success, job!.Status);
        Assert.Equal("Run", job.Attempts[0].Nodes[0].Steps.Single().Name);
        Assert.Equal("hello from edge-1\n", await _server.Client.GetStringAsync($"/api/jobs/{jobId}/log"));
        var listed = Assert.Single((await _server.Client.GetFromJsonAsync<List<RunnerView>>("/api/runners", ApiJson.Options))!);
        Assert.Equal(("edge-1", "127.0.0.1", 4, false), (listed.Name, listed.Address, listed.Capacity, listed.BuiltIn));
    }

    [Fact]
    public async Task A_personal_token_a_missing_one_and_a_revoked_one_are_refused_and_a_runner_token_signs_in_to_nothing_else()
    {
        var personal = _server.ClientFor((await File.ReadAllTextAsync(Path.Combine(_data.Path, "admin-token"))).Trim());
        _disposables.Add(personal);
        var problem = await Expect.ProblemAsync(await personal.PostAsync(RunnerHttp.Lease, null), 401, "runner_token_refused");
        Assert.Contains("not a runner token", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var anonymous = _server.ClientFor(null);
        _disposables.Add(anonymous);
        await Expect.ProblemAsync(await anonymous.PostAsync(RunnerHttp.Lease, null), 401, "runner_token_refused");

        var runner = await RunnerAsync("edge-2");
        await Expect.StatusAsync(await runner.RegisterAsync(), 200);
        await Expect.StatusAsync(await runner.Http.GetAsync("/api/projects"), 401);
        await Expect.StatusAsync(await _server.Client.DeleteAsync("/api/runner-tokens/edge-2"), 204);
        var revoked = await Expect.ProblemAsync(await runner.Http.PostAsync(RunnerHttp.LeaseWaiting(0), null), 401, "runner_token_refused");
        Assert.DoesNotContain(runner.Token, revoked.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_call_about_a_node_needs_its_current_lease_held_by_the_caller()
    {
        var a = await RunnerAsync("edge-a");
        var b = await RunnerAsync("edge-b");
        var unregistered = await RunnerAsync("edge-c");
        await Expect.StatusAsync(await a.RegisterAsync(), 200);
        await Expect.StatusAsync(await b.RegisterAsync(), 200);
        await TriggerAsync("app", Shell);
        var lease = (await a.LeaseAsync())!;
        var heartbeat = RunnerHttp.Heartbeat(lease.NodeId);

        await Expect.ProblemAsync(await unregistered.Http.PostAsync(RunnerHttp.LeaseWaiting(0), null), 409, "runner_not_registered");
        await Expect.ProblemAsync(await a.SendAsync(HttpMethod.Post, heartbeat, null), 409, "lease_not_current");
        await Expect.ProblemAsync(await a.SendAsync(HttpMethod.Post, heartbeat, "prl_" + new string('A', 32)), 409, "lease_not_current");

        // Another runner, even with the right lease token, may not touch the node; nor report a step of it.
        await Expect.ProblemAsync(await b.SendAsync(HttpMethod.Post, heartbeat, lease.LeaseToken), 403, "forbidden");
        var now = TimeProvider.System.GetUtcNow();
        await Expect.ProblemAsync(await b.SendAsync(HttpMethod.Post, RunnerHttp.Step(lease.NodeId), lease.LeaseToken,
            RunnerHttpClient.Json(new StepReport(0, "forged", StepState.Failed, 1, 0, 0, now, now))), 403, "forbidden");
        await Expect.ProblemAsync(await a.SendAsync(HttpMethod.Post, RunnerHttp.Heartbeat(lease.NodeId + 1000), lease.LeaseToken), 404, "node_not_found");

        await Expect.StatusAsync(await a.SendAsync(HttpMethod.Post, heartbeat, lease.LeaseToken), 200);
        var job = await _server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{lease.JobId}", ApiJson.Options);
        Assert.Empty(job!.Attempts[0].Nodes[0].Steps);
    }

    [Fact]
    public async Task A_runner_may_not_report_a_step_of_another_node_it_holds_with_that_nodes_lease()
    {
        var runner = await RunnerAsync("edge-d");
        await Expect.StatusAsync(await runner.RegisterAsync(), 200);
        await TriggerAsync("app", "language: shell\nenv:\n  - A=1\n  - A=2\nscript: echo $A\n");
        var first = (await runner.LeaseAsync())!;
        var second = (await runner.LeaseAsync())!;
        Assert.NotEqual(first.NodeId, second.NodeId);

        var now = TimeProvider.System.GetUtcNow();
        await Expect.ProblemAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Step(second.NodeId), first.LeaseToken,
            RunnerHttpClient.Json(new StepReport(0, "forged", StepState.Failed, 1, 0, 0, now, now))), 409, "lease_not_current");
        await Expect.ProblemAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Complete(second.NodeId), first.LeaseToken,
            RunnerHttpClient.Json(new NodeCompletion(NodeResult.Failed, "forged"))), 409, "lease_not_current");

        var job = (await _server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{second.JobId}", ApiJson.Options))!;
        Assert.Equal(Status.Running, job.Status);
        Assert.Empty(job.Attempts[0].Nodes[0].Steps);
    }

    [Fact]
    public async Task Log_chunks_at_a_negative_offset_past_the_cap_or_too_large_are_refused_and_nothing_is_stored()
    {
        var runner = await RunnerAsync("edge-e");
        await Expect.StatusAsync(await runner.RegisterAsync(), 200);
        var jobId = await TriggerAsync("app", Shell);
        var lease = (await runner.LeaseAsync())!;
        var line = Encoding.UTF8.GetBytes("kept\n");
        await AppendAsync(runner, lease, 0, line);

        await Expect.ProblemAsync(await runner.SendAsync(HttpMethod.Put, RunnerHttp.Log(lease.NodeId, -1), lease.LeaseToken, RunnerHttpClient.Bytes(line)), 400, "invalid_request");
        await Expect.ProblemAsync(await runner.SendAsync(HttpMethod.Put, RunnerHttp.Node(lease.NodeId) + "/log", lease.LeaseToken, RunnerHttpClient.Bytes(line)), 400, "invalid_request");

        // The cap is 4096 bytes here (and 64 KiB for the runner's own notice that it cut the log).
        var cap = await Expect.ProblemAsync(await runner.SendAsync(HttpMethod.Put, RunnerHttp.Log(lease.NodeId, 4096 + 65536), lease.LeaseToken, RunnerHttpClient.Bytes(line)), 400, "invalid_request");
        Assert.Contains("log cap", cap.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // 100 MB in one request: refused from its declared length, before the server reads it.
        // (The client asks first, Expect: 100-continue, so it does not send what the server refuses unread.)
        var request = RunnerHttpClient.About(HttpMethod.Put, RunnerHttp.Log(lease.NodeId, line.Length), lease.LeaseToken, new ZeroContent(100L * 1024 * 1024));
        request.Headers.ExpectContinue = true;
        var huge = await runner.Http.SendAsync(request);
        await Expect.ProblemAsync(huge, 413, "payload_too_large");

        // Two mebibytes without a declared length: refused once past the chunk limit.
        var chunked = new ZeroContent(2L * 1024 * 1024, declareLength: false);
        await Expect.ProblemAsync(await runner.SendAsync(HttpMethod.Put, RunnerHttp.Log(lease.NodeId, line.Length), lease.LeaseToken, chunked), 413, "payload_too_large");

        Assert.Equal("kept\n", await _server.Client.GetStringAsync($"/api/jobs/{jobId}/log"));
        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Heartbeat(lease.NodeId), lease.LeaseToken), 200);
    }

    [Fact]
    public async Task A_runner_that_comes_back_after_its_node_ended_cannot_write_into_it()
    {
        var runner = await RunnerAsync("edge-f");
        await Expect.StatusAsync(await runner.RegisterAsync(), 200);
        var jobId = await TriggerAsync("app", Shell);
        var lease = (await runner.LeaseAsync())!;
        await AppendAsync(runner, lease, 0, Encoding.UTF8.GetBytes("before\n"));

        // The node is canceled and ends (as a lost node would end): its lease is over.
        await Expect.StatusAsync(await _server.Client.PostAsync($"/api/jobs/{jobId}/cancel", null), 202);
        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Complete(lease.NodeId), lease.LeaseToken,
            RunnerHttpClient.Json(new NodeCompletion(NodeResult.Canceled, null))), 204);

        await Expect.ProblemAsync(await runner.SendAsync(HttpMethod.Put, RunnerHttp.Log(lease.NodeId, 7), lease.LeaseToken, RunnerHttpClient.Bytes(Encoding.UTF8.GetBytes("late\n"))), 409, "lease_not_current");
        await Expect.ProblemAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Complete(lease.NodeId), lease.LeaseToken,
            RunnerHttpClient.Json(new NodeCompletion(NodeResult.Success, null))), 409, "lease_not_current");
        Assert.Equal("before\n", await _server.Client.GetStringAsync($"/api/jobs/{jobId}/log"));
        Assert.Equal(Status.Canceled, (await _server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!.Status);
    }

    [Fact]
    public async Task Malformed_registrations_and_reports_are_refused_with_400_never_a_500()
    {
        var runner = await RunnerAsync("edge-g");
        foreach (var request in (RunnerRegisterRequest[])[
            new(null, "", [], 1, "127.0.0.1"),
            new(null, "1", ["bad label"], 1, "127.0.0.1"),
            new(null, "1", [], 0, "127.0.0.1"),
            new(null, "1", [], 1, "evil host; rm -rf /"),
            new("someone-else", "1", [], 1, "127.0.0.1")])
        {
            await Expect.ProblemAsync(await runner.Http.PostAsJsonAsync(RunnerHttp.Register, request, ApiJson.Options), 400, "invalid_request");
        }

        await Expect.StatusAsync(await runner.Http.PostAsync(RunnerHttp.Register, new StringContent("{not json", Encoding.UTF8, "application/json")), 400);
        await Expect.StatusAsync(await runner.RegisterAsync(), 200);
        await Expect.ProblemAsync(await runner.Http.PostAsync(RunnerHttp.LeaseWaiting(99), null), 400, "invalid_request");

        await TriggerAsync("app", Shell);
        var lease = (await runner.LeaseAsync())!;
        var now = TimeProvider.System.GetUtcNow();
        await Expect.ProblemAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Step(lease.NodeId), lease.LeaseToken,
            RunnerHttpClient.Json(new StepReport(-1, "x", StepState.Running, null, 0, null, now, null))), 400, "invalid_request");
        await Expect.StatusAsync(await runner.SendAsync(HttpMethod.Post, RunnerHttp.Step(lease.NodeId), lease.LeaseToken,
            new StringContent("[1,2", Encoding.UTF8, "application/json")), 400);
        await Expect.ProblemAsync(await runner.SendAsync(HttpMethod.Put, RunnerHttp.BlobUpload(lease.NodeId, new string('a', 64), 10, 20), lease.LeaseToken,
            RunnerHttpClient.Bytes([1])), 400, "invalid_request");
        var badDigest = await runner.SendAsync(HttpMethod.Put, RunnerHttp.BlobUpload(lease.NodeId, "..%2F..%2Fetc", 1, 0), lease.LeaseToken, RunnerHttpClient.Bytes([1]));
        Assert.InRange((int)badDigest.StatusCode, 200, 499);
        Assert.NotEqual(BlobUploadOutcome.Complete, (int)badDigest.StatusCode == 200
            ? (await badDigest.Content.ReadFromJsonAsync<BlobUploadResult>(ApiJson.Options))!.Outcome
            : BlobUploadOutcome.Refused);
    }

    [Fact]
    public async Task A_job_needing_a_label_no_runner_has_says_so_and_runs_once_a_runner_with_it_registers()
    {
        var plain = await RunnerAsync("edge-plain");
        await Expect.StatusAsync(await plain.RegisterAsync(), 200);
        var jobId = await TriggerAsync("app", """
            version: 2.1
            jobs:
              train:
                machine: true
                resource_class: acme/gpu
                steps:
                  - run: echo train
            workflows:
              main:
                jobs: [train]
            """);

        Assert.Null(await plain.LeaseAsync(0.5));
        var waiting = (await _server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!;
        Assert.Equal(Status.Queued, waiting.Status);
        Assert.Equal(["acme/gpu", "machine"], waiting.RunnerLabels);
        Assert.Contains("No runner can take this job", waiting.NoRunner, StringComparison.Ordinal);
        Assert.Contains("acme/gpu", waiting.NoRunner, StringComparison.Ordinal);
        Assert.Contains("edge-plain has docker, linux, machine", waiting.NoRunner, StringComparison.Ordinal);
        var page = await _server.Client.GetStringAsync($"/jobs/{jobId}");
        Assert.Contains("data-field=\"no-runner\"", page, StringComparison.Ordinal);

        var gpu = await RunnerAsync("edge-gpu");
        await Expect.StatusAsync(await gpu.RegisterAsync("acme/gpu"), 200);
        var lease = (await gpu.LeaseAsync())!;
        Assert.Equal(jobId, lease.JobId);
        Assert.Null((await _server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{jobId}", ApiJson.Options))!.NoRunner);
    }

    private async Task<RunnerHttpClient> RunnerAsync(string name)
    {
        var runner = await RunnerHttpClient.CreateAsync(_server, name);
        _disposables.Add(runner);
        return runner;
    }

    /// <summary>A project of its own with <paramref name="config"/> (Travis or CircleCI by its shape), triggered: its first job's id.</summary>
    private async Task<long> TriggerAsync(string project, string config)
    {
        var file = config.StartsWith("version:", StringComparison.Ordinal) ? ".circleci/config.yml" : ".travis.yml";
        var repository = GitRepository.WithFiles((file, config));
        _disposables.Add(repository);
        await _server.AddProjectAsync(project, repository.Path);
        var pipeline = await _server.TriggerAsync(project);
        return pipeline.Workflows[0].Jobs[0].Id;
    }

    private static async Task<LogAppendResult> AppendAsync(RunnerHttpClient runner, NodeAssignment lease, long offset, byte[] bytes)
    {
        var response = await runner.SendAsync(HttpMethod.Put, RunnerHttp.Log(lease.NodeId, offset), lease.LeaseToken, RunnerHttpClient.Bytes(bytes));
        await Expect.StatusAsync(response, 200);
        return (await response.Content.ReadFromJsonAsync<LogAppendResult>(ApiJson.Options))!;
    }

    /// <summary>A body of zeros made as it is sent, with or without a declared length.</summary>
    private sealed class ZeroContent(long length, bool declareLength = true) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var block = new byte[64 * 1024];
            for (long sent = 0; sent < length; sent += block.Length)
            {
                await stream.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, length - sent)));
            }
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return declareLength;
        }
    }
}
