using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// Travis's <c>cache:</c> through real pipelines (§B12): fetched before <c>before_install</c>, <c>before_cache</c> run
/// after <c>script</c> with its failure ignored, uploaded whatever the result and replaced by every build; a branch with no
/// cache of its own falls back to the default branch's.
/// </summary>
public sealed class TravisCachePipelineTests
{
    [Fact]
    public async Task A_branch_cache_is_replaced_by_each_build_and_a_new_branch_falls_back_to_the_default_branchs()
    {
        using var data = new TempFolder();
        using var repository = GitRepository.WithFiles((".travis.yml", """
            language: shell
            cache:
              directories:
                - $HOME/.deps
            before_install:
              - cat ~/.deps/id 2>/dev/null || echo restored=none
            script:
              - mkdir -p ~/.deps && echo "restored=$TRAVIS_BRANCH-$TRAVIS_JOB_ID" > ~/.deps/id
              - false
            before_cache:
              - echo before-cache-ran; false
            """));
        repository.Run("branch", "feature");
        await using var server = await RunningServer.StartAsync(data.Path);
        await server.AddProjectAsync("t", repository.Path);

        var first = await RunAsync(server, "main");
        Assert.Contains("restored=none", first.Log);
        Assert.Contains("before-cache-ran", first.Log);

        // The job failed (its script did), and the cache was still uploaded; the next build of main restores it.
        var second = await RunAsync(server, "main");
        Assert.Contains($"restored=main-{first.JobId}", second.Log);

        // Travis's caches are not immutable: the second build replaced the first's.
        var feature = await RunAsync(server, "feature");
        Assert.Contains($"restored=main-{second.JobId}", feature.Log);
        var again = await RunAsync(server, "feature");
        Assert.Contains($"restored=feature-{feature.JobId}", again.Log);
    }

    private static async Task<(long JobId, string Log)> RunAsync(RunningServer server, string branch)
    {
        var pipeline = await server.TriggerAsync("t", branch);
        var finished = await server.WaitForPipelineAsync(pipeline.Id, seconds: 120);
        var job = finished.Workflows.Single().Jobs.Single();
        var log = await server.LogAsync(job.Id);
        Assert.True(job.Status == Status.Failed, log);
        var steps = (await server.JobAsync(job.Id)).Attempts.Single().Nodes.Single().Steps;
        Assert.True(steps.Single(s => s.Name == "Uploading the cache").Status == Status.Success, log);
        return (job.Id, log);
    }
}
