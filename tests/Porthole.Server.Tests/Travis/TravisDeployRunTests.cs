using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// Travis's <c>deploy:</c> on real runs (the real server, its built-in runner, the shell executor): the script provider
/// deploys after after_success when the <c>on:</c> conditions hold for the trigger's branch (§B0, §B12), a branch that is
/// not permitted deploys nothing and the log says why as Travis says it, a failed script phase never deploys, and a
/// provider Porthole does not run leaves the job's result as it was and its log says so.
/// </summary>
public sealed class TravisDeployRunTests : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_push_to_master_deploys_and_a_push_to_another_branch_does_not_and_the_log_says_why()
    {
        // The deploy writes a marker into the checkout (the job's /tmp is its own), which after_script shows.
        using var repository = GitRepository.WithFiles((".travis.yml", """
            language: shell
            script: echo tested
            after_success: export SHIPPED_FROM="$TRAVIS_BRANCH"
            before_deploy: echo "before deploy on $TRAVIS_BRANCH"
            deploy:
              provider: script
              script: echo "deployed from $SHIPPED_FROM" > marker.txt
            after_deploy: echo "after deploy"
            after_script: cat marker.txt || echo NOTHING_DEPLOYED
            """));
        repository.Run("branch", "master");
        repository.Run("branch", "feature");
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("t", repository.Path);

        var master = await server.WaitForPipelineAsync((await server.TriggerAsync("t", "master")).Id);
        var masterJob = master.Workflows.Single().Jobs.Single();
        var masterLog = await server.LogAsync(masterJob.Id);
        Assert.True(master.Status == Status.Success, masterLog);
        Assert.Contains("\ndeployed from master\n", masterLog, StringComparison.Ordinal);
        Assert.Contains("before deploy on master", masterLog, StringComparison.Ordinal);
        Assert.Contains("after deploy", masterLog, StringComparison.Ordinal);
        var steps = (await server.JobAsync(masterJob.Id)).Attempts.Last().Nodes.Single().Steps;
        Assert.Equal(["after_success", "deploy (script)", "after_script"], steps.Select(step => step.Name).SkipWhile(name => name != "after_success"));
        Assert.Equal(Status.Success, steps.Single(step => step.Name == "deploy (script)").Status);

        var feature = await server.WaitForPipelineAsync((await server.TriggerAsync("t", "feature")).Id);
        var featureLog = await server.LogAsync(feature.Workflows.Single().Jobs.Single().Id);
        Assert.True(feature.Status == Status.Success, featureLog);
        Assert.Contains("NOTHING_DEPLOYED", featureLog, StringComparison.Ordinal);
        Assert.DoesNotContain("deployed from", featureLog, StringComparison.Ordinal);
        Assert.Contains("Skipping a deployment with the script provider because this branch is not permitted: feature", featureLog, StringComparison.Ordinal);
        Assert.DoesNotContain("before deploy on", featureLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_script_phase_does_not_deploy_and_a_failing_deployment_fails_the_job()
    {
        using var failing = GitRepository.WithFiles((".travis.yml", """
            language: shell
            script: 'false'
            deploy:
              provider: script
              script: echo "deployed from $TRAVIS_BRANCH"
              on: {all_branches: true}
            """));
        using var broken = GitRepository.WithFiles((".travis.yml", """
            language: shell
            script: echo tested
            deploy: {provider: script, script: echo uploading; exit 9, on: {all_branches: true}}
            after_deploy: echo NOT_AFTER_A_FAILED_DEPLOY
            """));
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("failing", failing.Path);
        await server.AddProjectAsync("broken", broken.Path);

        var failed = await server.WaitForPipelineAsync((await server.TriggerAsync("failing")).Id);
        var brokenRun = await server.WaitForPipelineAsync((await server.TriggerAsync("broken")).Id);

        Assert.Equal(Status.Failed, failed.Status);
        Assert.DoesNotContain("deployed from", await server.LogAsync(failed.Workflows.Single().Jobs.Single().Id), StringComparison.Ordinal);
        var failedSteps = (await server.JobAsync(failed.Workflows.Single().Jobs.Single().Id)).Attempts.Last().Nodes.Single().Steps;
        Assert.DoesNotContain(failedSteps, step => step.Name.StartsWith("deploy", StringComparison.Ordinal) && step.Status is Status.Success or Status.Failed);

        var brokenLog = await server.LogAsync(brokenRun.Workflows.Single().Jobs.Single().Id);
        Assert.Equal(Status.Failed, brokenRun.Status);
        Assert.Contains("uploading", brokenLog, StringComparison.Ordinal);
        Assert.Contains("failed to deploy", brokenLog, StringComparison.Ordinal);
        Assert.DoesNotContain("NOT_AFTER_A_FAILED_DEPLOY\n", brokenLog, StringComparison.Ordinal);

        // Travis's own read of the jobs: a failed script is failed; a failed deployment ends the job errored
        // (travis-build's deploy script.rb: travis_terminate 2).
        Assert.Equal("failed", await TravisStateAsync(server, failed.Workflows.Single().Jobs.Single().Id));
        Assert.Equal("errored", await TravisStateAsync(server, brokenRun.Workflows.Single().Jobs.Single().Id));
    }

    private static async Task<string?> TravisStateAsync(RunningServer server, long jobId) =>
        System.Text.Json.JsonDocument.Parse(await server.Client.GetStringAsync($"/v3/job/{jobId}")).RootElement.GetProperty("state").GetString();

    [Fact]
    public async Task A_releases_provider_job_passes_and_its_deploy_section_says_it_was_not_run()
    {
        using var repository = GitRepository.WithFiles((".travis.yml", """
            language: shell
            script: echo tested
            before_deploy: echo NOT_BEFORE_AN_UNRUN_PROVIDER
            deploy:
              provider: releases
              api_key: {secure: bm90IGEgcmVhbCBrZXk=}
              file: out.tar.gz
              on: {all_branches: true}
            """));
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("t", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("t")).Id);

        var job = finished.Workflows.Single().Jobs.Single();
        var log = await server.LogAsync(job.Id);
        Assert.True(finished.Status == Status.Success, log);
        Assert.Contains("Porthole does not run the releases provider", log, StringComparison.Ordinal);
        Assert.Contains("provider: script", log, StringComparison.Ordinal);
        Assert.DoesNotContain("NOT_BEFORE_AN_UNRUN_PROVIDER\n", log, StringComparison.Ordinal);
        var deploy = (await server.JobAsync(job.Id)).Attempts.Last().Nodes.Single().Steps.Last();
        Assert.Equal("deploy (releases, not run)", deploy.Name);
    }
}
