using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Server.Pipelines;
using Porthole.Server.Runners;
using Porthole.Server.Runners.Registry;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Runners;

/// <summary>
/// <c>retry_lost_nodes</c> (issue 14, "A lost runner"): with the project's setting on, a node whose runner stops
/// heart-beating ends infrastructure_fail as before, and its job gets one new attempt (<c>retry_lost</c>) that the lost
/// runner is not given; the job's dependents wait for that attempt. The test leases as registered runners ("runner-a",
/// "runner-b") from the real <see cref="RunnerService"/>; the lease is 2 s, and the server's own sweep (every 5 s) finds
/// the lost nodes.
/// </summary>
public sealed partial class RetryLostNodesTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          build:
            parallelism: 2
            steps:
              - run: echo build
          deploy:
            steps:
              - run: echo deploy
        workflows:
          main:
            jobs:
              - build
              - deploy:
                  requires: [build]
        """;

    private static readonly Dictionary<string, string?> Settings = new() { ["Porthole:LeaseDuration"] = "00:00:02" };

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private JobDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await JobDataServer.StartAsync(_data.Path, Settings);
        await _server.AddProjectAsync("app", _repository.Path);
        await RegisterAsync(_server, "runner-a");
        await RegisterAsync(_server, "runner-b");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Off_a_lost_node_ends_infrastructure_fail_and_its_job_gets_no_new_attempt()
    {
        var (build, deploy) = await TriggerAsync();
        var first = await LeaseAsync("runner-a");
        var second = await LeaseAsync("runner-a");
        Assert.Equal(new[] { build, build }, new[] { first.JobId, second.JobId });

        var job = await WaitForJobAsync(build, j => Status.IsFinished(j.Status));

        Assert.Equal(Status.InfrastructureFail, job.Status);
        var attempt = Assert.Single(job.Attempts);
        Assert.All(attempt.Nodes, n => Assert.Matches(LostMessage(), n.Message!));
        Assert.All(attempt.Nodes, n => Assert.DoesNotContain("retried", n.Message!, StringComparison.Ordinal));
        // The job's end and its dependents' release are two writes: a reader may see the first alone for a moment.
        Assert.Equal(Status.NotRun, (await WaitForJobAsync(deploy, j => Status.IsFinished(j.Status))).Status);
        var log = await _server.Client.GetStringAsync($"/api/jobs/{build}/log?node=0");
        Assert.Contains($"Porthole: {attempt.Nodes[0].Message}; the node ended as infrastructure_fail.", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_the_job_is_retried_once_on_another_runner_and_its_dependent_runs_after_the_retry_passes()
    {
        await SetRetryAsync(true);
        var (build, deploy) = await TriggerAsync();
        var lost = await LeaseAsync("runner-a");
        var alive = await LeaseAsync("runner-b");
        Assert.Equal(new[] { 0, 1 }, new[] { lost.NodeIndex, alive.NodeIndex });

        // runner-b keeps heart-beating its node: the retry cancels it, since the new attempt runs the whole job.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var canceled = HeartbeatUntilCanceledAsync(alive.NodeId, stop.Token);
        var job = await WaitForJobAsync(build, j => j.Attempts.Count == 2);
        Assert.True(await canceled, "the lost attempt's node on a live runner was not told to cancel");
        await _server.Runner.CompleteNodeAsync(alive.NodeId, new NodeCompletion(NodeResult.Canceled, "canceled"), CancellationToken.None);

        job = await JobAsync(build);
        var (old, retry) = (job.Attempts[0], job.Attempts[1]);
        Assert.Equal(Status.InfrastructureFail, old.Status);
        Assert.Equal([Status.InfrastructureFail, Status.Canceled], old.Nodes.Select(n => n.Status));
        var message = old.Nodes[0].Message!;
        Assert.Matches(LostMessage(), message);
        Assert.EndsWith("; retried as attempt 2 on another runner", message, StringComparison.Ordinal);
        var log = await _server.Client.GetStringAsync($"/api/jobs/{build}/log?node=0&attempt=1");
        Assert.Contains(
            $"Porthole: {message[..message.IndexOf("; retried", StringComparison.Ordinal)]}; the node ended as infrastructure_fail; retried as attempt 2 on another runner.",
            log,
            StringComparison.Ordinal);

        // The job follows its retry, and what requires it waits for that one instead of giving up on the lost attempt.
        Assert.Equal(LostNodeRetry.Reason, retry.Reason);
        Assert.False(retry.Ssh);
        Assert.Equal(Status.Queued, retry.Status);
        Assert.Equal(Status.Queued, job.Status);
        Assert.Equal(Status.Blocked, (await JobAsync(deploy)).Status);
        Assert.False(Status.IsFinished((await PipelineAsync(job.PipelineId)).Status));

        // The lost runner is not given the retry; another one is.
        using (var briefly = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _server.Runner.LeaseAsync("runner-a", briefly.Token));
        }

        Assert.All((await JobAsync(build)).Attempts[1].Nodes, n => Assert.Equal(Status.Queued, n.Status));
        var retried = new[] { await LeaseAsync("runner-b"), await LeaseAsync("runner-b") };
        Assert.All(retried, r => Assert.Equal((build, 2), (r.JobId, r.Attempt)));
        foreach (var node in retried)
        {
            await _server.CompleteAsync(node);
        }

        Assert.Equal(Status.Success, (await JobAsync(build)).Status);
        var dependent = await LeaseAsync("runner-a");
        Assert.Equal(deploy, dependent.JobId);
        await _server.CompleteAsync(dependent);
        Assert.Equal(Status.Success, (await JobAsync(deploy)).Status);
        Assert.Equal(Status.Success, (await PipelineAsync(job.PipelineId)).Status);
    }

    [Fact]
    public async Task A_lost_job_of_one_node_keeps_its_dependent_waiting_until_the_retry_passes()
    {
        _repository.Commit("one node", (".circleci/config.yml", Config.Replace("    parallelism: 2\n", "", StringComparison.Ordinal)));
        await SetRetryAsync(true);
        var (build, deploy) = await TriggerAsync();
        Assert.Equal((build, 1), await LeaseAttemptAsync("runner-a"));

        // The lost attempt ends with its only node: had it decided the job, deploy would be not_run by now. (The retry
        // blocks its job, writes its attempt, then queues it: separate writes, so the job may read blocked a moment.)
        var job = await WaitForJobAsync(build, j => j.Attempts.Count == 2 && Status.IsFinished(j.Attempts[0].Status) && j.Status != Status.Blocked);
        Assert.Equal(Status.InfrastructureFail, job.Attempts[0].Status);
        Assert.Equal(Status.Queued, job.Status);
        Assert.Equal(Status.Blocked, (await JobAsync(deploy)).Status);

        // The pipeline's roll-up is the retry's last write.
        var pipeline = await PipelineAsync(job.PipelineId);
        for (var i = 0; i < 100 && pipeline.Status != Status.Queued; i++)
        {
            await Task.Delay(100);
            pipeline = await PipelineAsync(job.PipelineId);
        }

        Assert.Equal(Status.Queued, pipeline.Status);

        var retry = await LeaseAsync("runner-b");
        Assert.Equal((build, 2), (retry.JobId, retry.Attempt));
        Assert.Equal(Status.Blocked, (await JobAsync(deploy)).Status);
        await _server.CompleteAsync(retry);
        var dependent = await LeaseAsync("runner-a");
        Assert.Equal(deploy, dependent.JobId);
        await _server.CompleteAsync(dependent);
        Assert.Equal(Status.Success, (await PipelineAsync(job.PipelineId)).Status);
    }

    [Fact]
    public async Task A_retry_whose_runner_is_lost_too_is_not_retried_again()
    {
        await SetRetryAsync(true);
        var (build, deploy) = await TriggerAsync();
        await LeaseAsync("runner-a");
        await LeaseAsync("runner-a");

        var job = await WaitForJobAsync(build, j => j.Attempts.Count == 2 && Status.IsFinished(j.Attempts[0].Status));
        Assert.EndsWith("; retried as attempt 2 on another runner", job.Attempts[0].Nodes[0].Message!, StringComparison.Ordinal);
        Assert.EndsWith("; its job is retried as attempt 2", job.Attempts[0].Nodes[1].Message!, StringComparison.Ordinal);

        // The retry's runner goes silent as well.
        Assert.Equal((build, 2), await LeaseAttemptAsync("runner-b"));
        Assert.Equal((build, 2), await LeaseAttemptAsync("runner-b"));
        job = await WaitForJobAsync(build, j => Status.IsFinished(j.Status));

        Assert.Equal(Status.InfrastructureFail, job.Status);
        Assert.Equal(2, job.Attempts.Count);
        Assert.All(job.Attempts[1].Nodes, n => Assert.Equal(Status.InfrastructureFail, n.Status));
        Assert.Contains(job.Attempts[1].Nodes, n => n.Message!.EndsWith("; not retried again: attempt 2 was already the retry of a lost one", StringComparison.Ordinal));
        // The job's end, its dependents' release and the pipeline's roll-up are separate writes: wait for the last.
        Assert.Equal(Status.NotRun, (await WaitForJobAsync(deploy, j => Status.IsFinished(j.Status))).Status);
        var pipeline = await PipelineAsync(job.PipelineId);
        for (var i = 0; i < 100 && !Status.IsFinished(pipeline.Status); i++)
        {
            await Task.Delay(100);
            pipeline = await PipelineAsync(job.PipelineId);
        }

        Assert.Equal(Status.InfrastructureFail, pipeline.Status);
    }

    [Fact]
    public async Task An_ssh_attempt_whose_runner_is_lost_is_not_retried()
    {
        await SetRetryAsync(true);
        var (build, deploy) = await TriggerAsync();
        await _server.CompleteAsync(await LeaseAsync("runner-b"));
        await _server.CompleteAsync(await LeaseAsync("runner-b"));
        await _server.CompleteAsync(await LeaseAsync("runner-b"));
        Assert.Equal(Status.Success, (await JobAsync(deploy)).Status);

        using (var db = _server.Db())
        {
            var record = db.Jobs.Single(j => j.Id == build);
            var requester = db.Attempts.Single(a => a.JobId == build).RequestedBy;
            var (started, refusal) = await _server.Get<Reruns>().RerunWithSshAsync(db, record, requester, CancellationToken.None);
            Assert.Null(refusal);
            Assert.Equal(2, Assert.Single(started!).Attempt);
        }

        Assert.Equal((build, 2), await LeaseAttemptAsync("runner-a"));
        Assert.Equal((build, 2), await LeaseAttemptAsync("runner-a"));
        var job = await WaitForJobAsync(build, j => Status.IsFinished(j.Attempts[^1].Status));

        Assert.Equal(2, job.Attempts.Count);
        Assert.True(job.Attempts[1].Ssh);
        Assert.Equal(Status.InfrastructureFail, job.Attempts[1].Status);
        Assert.All(job.Attempts[1].Nodes, n => Assert.EndsWith("; not retried: it was an SSH attempt, and a person may have been in it", n.Message!, StringComparison.Ordinal));
        Assert.Equal(Status.Success, job.Status);
        Assert.Equal(Status.Success, (await PipelineAsync(job.PipelineId)).Status);
    }

    [Fact]
    public async Task A_node_the_previous_server_process_ran_is_retried_by_the_next_one_on_its_built_in_runner()
    {
        await SetRetryAsync(true);
        var (build, _) = await TriggerAsync();

        // The previous process's built-in runner (registered under the machine-wide name, leasing as builtin:…) dies with it.
        var before = LeaseSweeper.BuiltInRunnerPrefix + "0123456789ab";
        await _server.Get<RunnerRegistry>().RegisterAsync(Registration("host-builtin"), before, CancellationToken.None);
        await LeaseByAsync(before);
        await LeaseByAsync(before);
        await _server.DisposeAsync();

        _server = await JobDataServer.StartAsync(_data.Path, Settings);
        await _server.Get<RunnerRegistry>().RegisterAsync(Registration("host-builtin"), LeaseSweeper.BuiltInRunnerName, CancellationToken.None);
        var job = await WaitForJobAsync(build, j => j.Attempts.Count == 2 && Status.IsFinished(j.Attempts[0].Status));

        // On SQLite the new process ends them at start; on PostgreSQL another server's built-in runner may be alive, so
        // they end when their lease runs out (decision 19).
        var lost = TestDatabase.IsPostgreSql ? $"the runner {before} stopped heart-beating" : "the server restarted while this node ran";
        Assert.All(job.Attempts[0].Nodes, n => Assert.StartsWith(lost, n.Message!, StringComparison.Ordinal));
        Assert.EndsWith("; retried as attempt 2", job.Attempts[0].Nodes[0].Message!, StringComparison.Ordinal);
        Assert.Equal(LostNodeRetry.Reason, job.Attempts[1].Reason);

        // A new process's built-in runner is not the one that was lost, though it registers under the same name.
        var retried = await LeaseByAsync(LeaseSweeper.BuiltInRunnerName);
        Assert.Equal((build, 2), (retried.JobId, retried.Attempt));
    }

    [Fact]
    public async Task The_setting_is_shown_and_changed_through_the_api_by_the_projects_admins_only()
    {
        var view = await _server.Client.GetFromJsonAsync<ProjectView>("/api/projects/app", ApiJson.Options);
        Assert.False(view!.RetryLostNodes);

        var changed = await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null, RetryLostNodes: true), ApiJson.Options);
        await Expect.StatusAsync(changed, 200);
        Assert.True((await changed.Content.ReadFromJsonAsync<ProjectView>(ApiJson.Options))!.RetryLostNodes);
        Assert.True((await _server.Client.GetFromJsonAsync<ProjectView>("/api/projects/app", ApiJson.Options))!.RetryLostNodes);
        var json = await _server.Client.GetStringAsync("/api/projects/app");
        Assert.Contains("\"retry_lost_nodes\":true", json, StringComparison.Ordinal);

        // A write member is not an admin of the project.
        var token = await _server.CreateUserAsync("writer");
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/writer", new { role = "write" }, ApiJson.Options), 204);
        using var writer = _server.ClientFor(token);
        var refused = await writer.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null, RetryLostNodes: false), ApiJson.Options);
        await Expect.ProblemAsync(refused, 403, ErrorCodes.Forbidden);

        // Nothing to change, or not a boolean: a clear error, and the setting as it was.
        var empty = await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new { }, ApiJson.Options);
        var problem = await Expect.ProblemAsync(empty, 400, ErrorCodes.InvalidRequest);
        Assert.Contains("retry_lost_nodes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var wrong = new StringContent("""{"retry_lost_nodes": "yes"}""", System.Text.Encoding.UTF8, "application/json");
        var bad = await _server.Client.PutAsync("/api/projects/app/settings", wrong);
        Assert.Equal(400, (int)bad.StatusCode);
        Assert.True((await _server.Client.GetFromJsonAsync<ProjectView>("/api/projects/app", ApiJson.Options))!.RetryLostNodes);
    }

    private static RunnerRegistration Registration(string name) => new(name, RunnerRegistry.ServerVersion, [], 4, "127.0.0.1");

    private static Task<long> RegisterAsync(JobDataServer server, string name) =>
        server.Get<RunnerRegistry>().RegisterAsync(Registration(name), name, CancellationToken.None);

    private async Task SetRetryAsync(bool on) => await Expect.StatusAsync(
        await _server.Client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null, RetryLostNodes: on), ApiJson.Options), 200);

    /// <summary>Triggers a pipeline; the ids of its jobs build and deploy.</summary>
    private async Task<(long Build, long Deploy)> TriggerAsync()
    {
        var jobs = (await _server.TriggerAsync("app")).Workflows.Single().Jobs;
        return (jobs.Single(j => j.Name == "build").Id, jobs.Single(j => j.Name == "deploy").Id);
    }

    /// <summary>Leases the next queued node as the registered runner <paramref name="runner"/>; fails when nothing comes.</summary>
    private Task<NodeAssignment> LeaseAsync(string runner) => LeaseByAsync(runner);

    /// <summary>Leases the next queued node as <paramref name="runner"/>: its job and attempt.</summary>
    private async Task<(long JobId, int Attempt)> LeaseAttemptAsync(string runner)
    {
        var lease = await LeaseAsync(runner);
        return (lease.JobId, lease.Attempt);
    }

    private async Task<NodeAssignment> LeaseByAsync(string leaseName)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _server.Runner.LeaseAsync(leaseName, timeout.Token) ?? throw new InvalidOperationException($"nothing was leased to {leaseName}");
    }

    /// <summary>Heart-beats a node every 300 ms, as a live runner does, until the reply says to cancel (true) or time is up (false).</summary>
    private async Task<bool> HeartbeatUntilCanceledAsync(long nodeId, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                if ((await _server.Runner.HeartbeatAsync(nodeId, ct)).Canceled)
                {
                    return true;
                }

                await Task.Delay(300, ct);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<JobView> JobAsync(long id) => (await _server.Client.GetFromJsonAsync<JobView>($"/api/jobs/{id}", ApiJson.Options))!;

    private async Task<PipelineView> PipelineAsync(long id) => (await _server.Client.GetFromJsonAsync<PipelineView>($"/api/pipelines/{id}", ApiJson.Options))!;

    /// <summary>Polls the job until <paramref name="done"/> holds; the sweep ends a lost node within 2 s + 5 s of its last heartbeat.</summary>
    private async Task<JobView> WaitForJobAsync(long id, Func<JobView, bool> done)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var job = await JobAsync(id);
            if (done(job))
            {
                return job;
            }

            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30), $"job {id} never got there: {job.Status}, {job.Attempts.Count} attempts");
            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"^the runner runner-a stopped heart-beating: last heard at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, \d+ s before")]
    private static partial Regex LostMessage();
}
