using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

public sealed class TravisPipelineTests
{
    [Fact]
    public async Task Travis_phases_run_with_travis_semantics_and_variables()
    {
        using var data = new TempFolder();
        using var repository = GitRepository.WithFiles((".travis.yml", """
            language: shell
            env:
              global:
                - SHARED=everywhere
              matrix:
                - FLAVOUR=one
                - FLAVOUR=two
            before_install:
              - echo "before_install $FLAVOUR $SHARED"
            script:
              - echo "first script command"; false
              - echo "second script command still runs"
            after_success:
              - echo after-success-ran
            after_failure:
              - echo "after-failure-ran result=$TRAVIS_TEST_RESULT"
            after_script:
              - echo "after-script job=$TRAVIS_JOB_ID number=$TRAVIS_JOB_NUMBER build=$TRAVIS_BUILD_ID commit=$TRAVIS_COMMIT branch=$TRAVIS_BRANCH"
              - test "$TRAVIS_BUILD_DIR" = "$PWD" && echo build-dir-is-cwd
              - echo "event=$TRAVIS_EVENT_TYPE message=$TRAVIS_COMMIT_MESSAGE os=$TRAVIS_OS_NAME dist=$TRAVIS_DIST secure=$TRAVIS_SECURE_ENV_VARS pr=$TRAVIS_PULL_REQUEST"
            """));
        await using var server = await RunningServer.StartAsync(data.Path);
        await server.AddProjectAsync("t", repository.Path);
        var pipeline = await server.TriggerAsync("t");
        var finished = await server.WaitForPipelineAsync(pipeline.Id);

        var jobs = finished.Workflows.Single().Jobs;
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, j => Assert.Equal(Status.Failed, j.Status));
        var first = jobs[0];
        var log = await server.LogAsync(first.Id);
        Assert.Contains("before_install one everywhere", log);
        Assert.Contains("first script command", log);
        Assert.Contains("second script command still runs", log);
        Assert.DoesNotContain("after-success-ran", log);
        Assert.Contains("after-failure-ran result=1", log);
        Assert.Contains($"after-script job={first.Id} number={finished.Number}.1 build={finished.Id} commit={finished.Commit} branch=main", log);
        Assert.Contains("build-dir-is-cwd", log);

        // §B0's default environment: an API trigger, the commit's message, the default os and dist (focal).
        Assert.Contains("event=api message=first commit os=linux dist=focal secure=false pr=false", log);
        Assert.Contains("before_install two everywhere", await server.LogAsync(jobs[1].Id));
    }
}
