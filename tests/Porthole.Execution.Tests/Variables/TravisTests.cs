using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Variables;

/// <summary>
/// Travis jobs as the Pipeline shapes them: checkout, the language's setup, then one step per phase, the script phase
/// running every command.
/// </summary>
public sealed class TravisTests : IDisposable
{
    private readonly NodeHarness _harness = new();
    private readonly GitRepository _repository = new();

    public void Dispose()
    {
        _harness.Dispose();
        _repository.Dispose();
    }

    [Fact]
    public async Task A_passing_build_runs_after_success_and_after_script_with_TRAVIS_TEST_RESULT_0()
    {
        var sha = _repository.Commit("Makefile", "test:\n\techo tests pass\n", "first");
        var job = TravisJob(script: ["echo \"GOPATH=$GOPATH\"", "echo \"FROM_INSTALL=$FROM_INSTALL\"", "pwd", "make -s -C \"$TRAVIS_BUILD_DIR\" test"]);

        var completion = await _harness.RunAsync(Plans.Assignment(job, dialect: ConfigDialect.Travis, repositoryUrl: _repository.Path, commitSha: sha));

        Assert.True(completion.Result == NodeResult.Success, _harness.Reporter.Log);
        var reporter = _harness.Reporter;
        Assert.Contains("result before script: <unset>", reporter.StepLog(2), StringComparison.Ordinal);
        var script = reporter.StepLog(4);
        Assert.Contains($"GOPATH={_harness.Home}/go\n", script, StringComparison.Ordinal);
        Assert.Contains("FROM_INSTALL=yes\n", script, StringComparison.Ordinal);
        Assert.Contains($"{_harness.Home}/build/acme/widget/sub\n", script, StringComparison.Ordinal);
        Assert.Contains("tests pass", script, StringComparison.Ordinal);
        Assert.Equal(StepState.Success, reporter.Final(4).State);
        Assert.Contains("after_success sees 0", reporter.StepLog(5), StringComparison.Ordinal);
        Assert.Equal(StepState.Skipped, reporter.Final(6).State);
        Assert.Contains("after_script sees 0", reporter.StepLog(7), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_script_runs_every_command_then_after_failure_and_after_script_with_TRAVIS_TEST_RESULT_1()
    {
        var sha = _repository.Commit("a.txt", "a\n", "first");
        var job = TravisJob(script: ["echo first", "false", "echo still running the script"]);

        var completion = await _harness.RunAsync(Plans.Assignment(job, dialect: ConfigDialect.Travis, repositoryUrl: _repository.Path, commitSha: sha));

        Assert.Equal(NodeResult.Failed, completion.Result);
        var reporter = _harness.Reporter;
        Assert.Equal(StepState.Failed, reporter.Final(4).State);
        Assert.Contains("first\n", reporter.StepLog(4), StringComparison.Ordinal);
        Assert.Contains("still running the script", reporter.StepLog(4), StringComparison.Ordinal);
        Assert.Equal(StepState.Skipped, reporter.Final(5).State);
        Assert.Contains("after_failure sees 1", reporter.StepLog(6), StringComparison.Ordinal);
        Assert.Contains("after_script sees 1", reporter.StepLog(7), StringComparison.Ordinal);
        Assert.Equal(StepState.Failed, reporter.Final(7).State);
        Assert.Equal("Step 'script' failed with exit code 1.", completion.Message);
    }

    [Fact]
    public async Task A_failing_after_script_does_not_fail_a_passing_build()
    {
        var sha = _repository.Commit("a.txt", "a\n", "first");
        var job = TravisJob(script: ["true"]);

        var completion = await _harness.RunAsync(Plans.Assignment(job, dialect: ConfigDialect.Travis, repositoryUrl: _repository.Path, commitSha: sha));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.Equal(StepState.Failed, _harness.Reporter.Final(7).State);
    }

    /// <summary>A Travis job planned from YAML by the real config reader, so the phase scripts are the ones a pipeline runs.</summary>
    private static JobPlan TravisJob(IReadOnlyList<string> script)
    {
        var yaml = new System.Text.StringBuilder("""
            language: shell
            env:
              global:
                - GOPATH=$HOME/go
            before_install:
              - 'echo "result before script: ${TRAVIS_TEST_RESULT:-<unset>}"'
              - mkdir -p sub && cd sub
            install:
              - export FROM_INSTALL=yes
            after_success:
              - echo "after_success sees $TRAVIS_TEST_RESULT"
            after_failure:
              - echo "after_failure sees $TRAVIS_TEST_RESULT"
            after_script:
              - echo "after_script sees $TRAVIS_TEST_RESULT"; exit 9
            script:

            """);
        foreach (var command in script)
        {
            yaml.Append("  - '").Append(command.Replace("'", "''", StringComparison.Ordinal)).Append("'\n");
        }

        var result = Pipeline.ConfigReader.Read(".travis.yml", yaml.ToString());
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Plan!.Workflows.Single().Jobs.Single();
    }
}
