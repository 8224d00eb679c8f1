using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// Travis's stages, allow_failures and fast_finish on real runs (the real server, its built-in runner, the shell
/// executor): stages run one after another and a failure cancels the later ones (§B10); a job allowed to fail neither
/// fails the build nor stops the next stage, and with fast_finish the build's result does not wait for it (§B9).
/// </summary>
public sealed class TravisStagesRunTests : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_failing_stage_leaves_the_later_stages_not_run()
    {
        using var repository = GitRepository.WithFiles((".travis.yml", """
            language: shell
            script: echo "stage=$TRAVIS_BUILD_STAGE_NAME"
            jobs:
              include:
                - stage: test
                  name: unit
                  script: echo "stage=$TRAVIS_BUILD_STAGE_NAME"; false
                - name: lint
                - stage: deploy
                  name: ship
            """));
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("t", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("t")).Id);

        var jobs = finished.Workflows.Single().Jobs;
        Assert.Equal(["unit", "lint", "ship"], jobs.Select(j => j.Name));
        Assert.Equal(["test", "test", "deploy"], jobs.Select(j => j.Stage));
        Assert.Equal([Status.Failed, Status.Success, Status.NotRun], jobs.Select(j => j.Status));
        Assert.Equal(["unit", "lint"], jobs[2].Requires);
        Assert.Equal(Status.Failed, finished.Status);
        Assert.Contains("stage=test", await server.LogAsync(jobs[1].Id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_allowed_to_fail_does_not_fail_the_build_nor_stop_the_next_stage()
    {
        using var repository = GitRepository.WithFiles((".travis.yml", """
            language: shell
            env:
              - SUITE=stable
              - SUITE=edge
            script: echo "suite=$SUITE allowed=$TRAVIS_ALLOW_FAILURE"; test "$SUITE" = stable
            jobs:
              allow_failures:
                - env: SUITE=edge
              include:
                - stage: after
                  name: later
                  env: SUITE=stable
            stages: [test, after]
            """));
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("t", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("t")).Id);

        var jobs = finished.Workflows.Single().Jobs;
        Assert.Equal([false, true, false], jobs.Select(j => j.AllowFailure));
        Assert.Equal([Status.Success, Status.Failed, Status.Success], jobs.Select(j => j.Status));
        Assert.Equal(Status.Success, finished.Status);
        Assert.Contains("suite=edge allowed=true", await server.LogAsync(jobs[1].Id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_fast_finish_the_result_is_decided_while_a_job_allowed_to_fail_still_runs()
    {
        using var repository = GitRepository.WithFiles((".travis.yml", """
            language: shell
            env:
              - KIND=quick
              - KIND=slow
            script: if [ "$KIND" = slow ]; then sleep 20; fi; echo "kind=$KIND"
            jobs:
              fast_finish: true
              allow_failures:
                - env: KIND=slow
            """));
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("t", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("t")).Id);

        var jobs = finished.Workflows.Single().Jobs;
        Assert.Equal(Status.Success, finished.Status);
        Assert.Equal(Status.Success, jobs[0].Status);
        Assert.False(Status.IsFinished(jobs[1].Status), $"the slow job is {jobs[1].Status}");
        (await server.Client.PostAsync($"/api/jobs/{jobs[1].Id}/cancel", null)).EnsureSuccessStatusCode();
        Assert.Equal(Status.Canceled, (await server.WaitForJobAsync(jobs[1].Id, j => Status.IsFinished(j.Status))).Status);
    }
}
