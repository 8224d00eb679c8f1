using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// Real pipelines of real git repositories through the real server and built-in runner: the build job on the docker
/// executor (a locally built image; nothing can be pulled here), the others on the shell executor.
/// </summary>
public sealed class CircleCiPipelineTests : IAsyncLifetime
{
    private static readonly string Workflow = $$"""
        version: 2.1
        jobs:
          build:
            docker:
              - image: {{DockerTestImages.Debian}}
            environment:
              GREETING: hello
            steps:
              - checkout
              - run:
                  name: Show the environment
                  command: |
                    echo "job=$CIRCLE_JOB build=$CIRCLE_BUILD_NUM node=$CIRCLE_NODE_INDEX/$CIRCLE_NODE_TOTAL"
                    echo "sha=$CIRCLE_SHA1 branch=$CIRCLE_BRANCH ci=$CI wd=$CIRCLE_WORKING_DIRECTORY"
                    echo "greeting=$GREETING project=$PROJECT_VAR"
                    echo "secret=$API_KEY"
                    cat README.md
                    printf '\033[32mgreen\033[0m\n'
          test:
            parallelism: 2
            steps:
              - run: echo "test node $CIRCLE_NODE_INDEX of $CIRCLE_NODE_TOTAL"
          broken:
            steps:
              - run:
                  name: Fails
                  command: |
                    echo before
                    false
                    echo never printed
              - run:
                  name: Skipped after a failure
                  command: echo skipped-step-ran
              - run:
                  name: On failure
                  when: on_fail
                  command: echo on-fail-ran
              - run:
                  name: Always
                  when: always
                  command: echo always-ran
          after-broken:
            steps:
              - run: echo should-not-run
        workflows:
          main:
            jobs:
              - build
              - test:
                  requires: [build]
              - broken:
                  requires: [build]
              - after-broken:
                  requires: [broken]
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        await DockerTestImages.EnsureAsync();
        _repository = GitRepository.WithFiles((".circleci/config.yml", Workflow), ("README.md", "readme-at-first-commit\n"));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_workflow_runs_its_jobs_in_order_with_statuses_logs_and_environment()
    {
        var put = await _server.Client.PutAsJsonAsync("/api/projects/app/env/PROJECT_VAR", new SetVariableRequest("from-project", false), ApiJson.Options);
        await Expect.StatusAsync(put, 200);
        put = await _server.Client.PutAsJsonAsync("/api/projects/app/env/API_KEY", new SetVariableRequest("s3cr3t-value-42", true), ApiJson.Options);
        await Expect.StatusAsync(put, 200);

        var triggered = await _server.TriggerAsync("app", "main");
        var pipeline = await _server.WaitForPipelineAsync(triggered.Id);

        Assert.Equal(Status.Failed, pipeline.Status);
        var jobs = pipeline.Workflows.Single().Jobs.ToDictionary(j => j.Name);
        Assert.Equal(Status.Success, jobs["build"].Status);
        Assert.Equal(Status.Success, jobs["test"].Status);
        Assert.Equal(Status.Failed, jobs["broken"].Status);
        Assert.Equal(Status.NotRun, jobs["after-broken"].Status);

        var build = await _server.JobAsync(jobs["build"].Id);
        var log = await _server.LogAsync(build.Id);
        Assert.Contains($"job=build build={build.Id} node=0/1", log);
        Assert.Contains($"sha={triggered.Commit} branch=main ci=true wd=~/project", log);
        Assert.Contains("greeting=hello project=from-project", log);
        Assert.Contains("readme-at-first-commit", log);
        Assert.Contains("\u001b[32mgreen\u001b[0m", log);
        Assert.DoesNotContain("s3cr3t-value-42", log);
        Assert.Contains("secret=********", log);

        // Each node of the parallel job ran on its own with its own index.
        var test = await _server.JobAsync(jobs["test"].Id);
        Assert.Equal(2, test.Attempts.Single().Nodes.Count);
        Assert.Contains("test node 0 of 2", await _server.LogAsync(test.Id, node: 0));
        Assert.Contains("test node 1 of 2", await _server.LogAsync(test.Id, node: 1));

        // requires: test started only after build had finished.
        Assert.True(test.Attempts.Single().StartedAt >= build.Attempts.Single().FinishedAt);

        var broken = await _server.JobAsync(jobs["broken"].Id);
        var brokenLog = await _server.LogAsync(broken.Id);
        Assert.Contains("before", brokenLog);
        Assert.DoesNotContain("never printed", brokenLog);
        Assert.DoesNotContain("skipped-step-ran", brokenLog);
        Assert.Contains("on-fail-ran", brokenLog);
        Assert.Contains("always-ran", brokenLog);
        var steps = broken.Attempts.Single().Nodes.Single().Steps;
        Assert.Equal([Status.Failed, "skipped", Status.Success, Status.Success], steps.Select(s => s.Status));
        Assert.Equal(1, steps[0].ExitCode);

        // A step's log is its own byte range of the node's log.
        var first = await _server.Client.GetStringAsync($"/api/jobs/{broken.Id}/log?step=0");
        Assert.Contains("before", first);
        Assert.DoesNotContain("always-ran", first);
    }

    [Fact]
    public async Task The_log_is_readable_from_an_offset()
    {
        var triggered = await _server.TriggerAsync("app");
        await _server.WaitForPipelineAsync(triggered.Id);
        var jobId = triggered.Workflows[0].Jobs.Single(j => j.Name == "build").Id;
        var whole = await _server.Client.GetByteArrayAsync($"/api/jobs/{jobId}/log");
        var tail = await _server.Client.GetByteArrayAsync($"/api/jobs/{jobId}/log?offset=10");
        Assert.Equal(whole[10..], tail);
        var response = await _server.Client.GetAsync($"/api/jobs/{jobId}/log");
        Assert.Equal(whole.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("X-Log-Length").Single());
        Assert.Equal("true", response.Headers.GetValues("X-Log-Complete").Single());
    }

    [Fact]
    public async Task A_pipeline_at_an_older_commit_checks_out_that_commit()
    {
        var first = _repository.Run("rev-parse", "HEAD").Trim();
        _repository.Commit("second", ("README.md", "readme-at-second-commit\n"));
        var triggered = await _server.TriggerAsync("app", commit: first);
        Assert.Equal(first, triggered.Commit);
        await _server.WaitForPipelineAsync(triggered.Id);
        var build = triggered.Workflows[0].Jobs.Single(j => j.Name == "build");
        var log = await _server.LogAsync(build.Id);
        Assert.Contains("readme-at-first-commit", log);
        Assert.DoesNotContain("readme-at-second-commit", log);
    }

    [Fact]
    public async Task A_rerun_is_a_new_attempt_of_the_same_job_and_from_failed_reruns_the_failed_and_their_dependents()
    {
        var triggered = await _server.TriggerAsync("app");
        await _server.WaitForPipelineAsync(triggered.Id);
        var jobs = triggered.Workflows[0].Jobs.ToDictionary(j => j.Name);

        var response = await _server.Client.PostAsJsonAsync($"/api/jobs/{jobs["build"].Id}/rerun", new RerunRequest(null), ApiJson.Options);
        await Expect.StatusAsync(response, 202);
        var rerun = (await response.Content.ReadFromJsonAsync<RerunResponse>(ApiJson.Options))!;
        Assert.Equal(jobs["build"].Id, rerun.Jobs.Single(j => j.Name == "build").JobId);
        Assert.Equal(2, rerun.Jobs.Single(j => j.Name == "build").Attempt);
        var build = await _server.WaitForJobAsync(jobs["build"].Id, j => j.Attempts.Count == 2 && Status.IsFinished(j.Status));
        Assert.Equal(Status.Success, build.Status);
        Assert.Contains("job=build", await _server.LogAsync(build.Id, attempt: 2));
        await _server.WaitForPipelineAsync(triggered.Id);

        response = await _server.Client.PostAsJsonAsync($"/api/jobs/{jobs["broken"].Id}/rerun", new RerunRequest(true), ApiJson.Options);
        await Expect.StatusAsync(response, 202);
        rerun = (await response.Content.ReadFromJsonAsync<RerunResponse>(ApiJson.Options))!;
        Assert.Equal(["after-broken", "broken"], rerun.Jobs.Select(j => j.Name).Order());
        var pipeline = await _server.WaitForPipelineAsync(triggered.Id);

        // No new pipeline was made: the project still has one.
        var all = await _server.Client.GetFromJsonAsync<List<PipelineView>>("/api/projects/app/pipelines", ApiJson.Options);
        Assert.Single(all!);
        var broken = await _server.JobAsync(jobs["broken"].Id);
        Assert.Equal(2, broken.Attempts.Count);
        Assert.Equal("rerun_from_failed", broken.Attempts[1].Reason);
        Assert.Single((await _server.JobAsync(jobs["test"].Id)).Attempts);
        Assert.Equal(Status.Failed, pipeline.Status);
    }

    [Fact]
    public async Task A_finished_job_cannot_be_canceled()
    {
        var triggered = await _server.TriggerAsync("app");
        await _server.WaitForPipelineAsync(triggered.Id);
        var build = triggered.Workflows[0].Jobs.Single(j => j.Name == "build");
        var cancel = await _server.Client.PostAsync($"/api/jobs/{build.Id}/cancel", null);
        await Expect.ProblemAsync(cancel, 409, ErrorCodes.JobFinished);
    }
}
