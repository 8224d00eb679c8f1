using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Variables;

public sealed class EnvironmentTests : IDisposable
{
    private readonly NodeHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task CircleCi_steps_see_the_CIRCLE_variables()
    {
        var job = Plans.Job([Plans.Run("env", "env | sort")], name: "unit-tests");
        var assignment = Plans.Assignment(job, nodeIndex: 2, nodeTotal: 4) with { CommitSha = "abc123def456abc123def456abc123def456abc1" };

        await _harness.RunAsync(assignment);

        var environment = ParseEnvironment(_harness.Reporter.StepLog(0));
        Assert.Equal("true", environment["CI"]);
        Assert.Equal("true", environment["CIRCLECI"]);
        Assert.Equal("unit-tests", environment["CIRCLE_JOB"]);
        Assert.Equal("248927957", environment["CIRCLE_BUILD_NUM"]);
        Assert.Equal("2", environment["CIRCLE_NODE_INDEX"]);
        Assert.Equal("4", environment["CIRCLE_NODE_TOTAL"]);
        Assert.Equal("abc123def456abc123def456abc123def456abc1", environment["CIRCLE_SHA1"]);
        Assert.Equal("main", environment["CIRCLE_BRANCH"]);
        Assert.Equal("~/project", environment["CIRCLE_WORKING_DIRECTORY"]);
        Assert.Equal("widget", environment["CIRCLE_PROJECT_REPONAME"]);
        Assert.Equal("acme", environment["CIRCLE_PROJECT_USERNAME"]);
        Assert.Equal("77", environment["CIRCLE_WORKFLOW_ID"]);
        Assert.Equal("42", environment["CIRCLE_PIPELINE_NUMBER"]);
        Assert.DoesNotContain(environment.Keys, k => k.StartsWith("TRAVIS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_branch_CIRCLE_BRANCH_is_not_set()
    {
        var job = Plans.Job([Plans.Run("env", "env | sort")]);

        await _harness.RunAsync(Plans.Assignment(job, branch: null));

        Assert.DoesNotContain("CIRCLE_BRANCH", ParseEnvironment(_harness.Reporter.StepLog(0)).Keys);
    }

    [Fact]
    public async Task Travis_steps_see_the_TRAVIS_variables()
    {
        var job = Plans.Job([Plans.Run("env", "env | sort", shell: "/bin/bash")]);

        await _harness.RunAsync(Plans.Assignment(job, dialect: ConfigDialect.Travis));

        var environment = ParseEnvironment(_harness.Reporter.StepLog(0));
        Assert.Equal("true", environment["CI"]);
        Assert.Equal("true", environment["TRAVIS"]);
        Assert.Equal("true", environment["CONTINUOUS_INTEGRATION"]);
        Assert.Equal("248927956", environment["TRAVIS_BUILD_ID"]);
        Assert.Equal("42", environment["TRAVIS_BUILD_NUMBER"]);
        Assert.Equal("248927957", environment["TRAVIS_JOB_ID"]);
        Assert.Equal("42.3", environment["TRAVIS_JOB_NUMBER"]);
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", environment["TRAVIS_COMMIT"]);
        Assert.Equal("main", environment["TRAVIS_BRANCH"]);
        Assert.Equal("acme/widget", environment["TRAVIS_REPO_SLUG"]);
        Assert.Equal("linux", environment["TRAVIS_OS_NAME"]);
        Assert.Equal(Path.Combine(_harness.Home, "build", "acme", "widget"), environment["TRAVIS_BUILD_DIR"]);
        Assert.DoesNotContain("TRAVIS_TEST_RESULT", environment.Keys);
        Assert.DoesNotContain(environment.Keys, k => k.StartsWith("CIRCLE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Project_job_and_step_variables_override_in_that_order()
    {
        var job = Plans.Job(
            [Plans.Run("env", "env | sort", environment: [new("STEP_AND_JOB", "step"), new("ALL", "step")])],
            environment: [new("JOB_ONLY", "job"), new("STEP_AND_JOB", "job"), new("ALL", "job"), new("PROJECT_AND_JOB", "job")]);
        var assignment = Plans.Assignment(job, variables: [
            new ProjectVariable("PROJECT_ONLY", "project", false),
            new ProjectVariable("PROJECT_AND_JOB", "project", false),
            new ProjectVariable("ALL", "project", false),
            new ProjectVariable("CIRCLE_BRANCH", "overridden-by-project", false),
        ]);

        await _harness.RunAsync(assignment);

        var environment = ParseEnvironment(_harness.Reporter.StepLog(0));
        Assert.Equal("project", environment["PROJECT_ONLY"]);
        Assert.Equal("job", environment["PROJECT_AND_JOB"]);
        Assert.Equal("job", environment["JOB_ONLY"]);
        Assert.Equal("step", environment["STEP_AND_JOB"]);
        Assert.Equal("step", environment["ALL"]);
        Assert.Equal("overridden-by-project", environment["CIRCLE_BRANCH"]);
    }

    [Fact]
    public async Task CircleCi_passes_values_literally()
    {
        var job = Plans.Job([Plans.Run("env", "printf '%s\\n' \"$GOPATH\"")], environment: [new("GOPATH", "$HOME/go")]);

        await _harness.RunAsync(Plans.Assignment(job));

        Assert.Contains("$HOME/go\n", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HOME_is_inside_the_workspace_and_the_host_environment_does_not_leak()
    {
        Environment.SetEnvironmentVariable("PORTHOLE_TEST_HOST_ONLY_SECRET", "do-not-leak");
        var job = Plans.Job([Plans.Run("env", "env | sort; touch ~/marker")]);

        await _harness.RunAsync(Plans.Assignment(job));

        var environment = ParseEnvironment(_harness.Reporter.StepLog(0));
        Assert.Equal(_harness.Home, environment["HOME"]);
        Assert.True(File.Exists(Path.Combine(_harness.Home, "marker")));
        Assert.Equal(Path.Combine(_harness.WorkspaceRoot, "tmp"), environment["TMPDIR"]);
        Assert.True(environment.ContainsKey("PATH"));
        Assert.True(environment.ContainsKey("USER"));
        Assert.Equal("/bin/bash", environment["SHELL"]);
        Assert.DoesNotContain("PORTHOLE_TEST_HOST_ONLY_SECRET", environment.Keys);
        Assert.DoesNotContain("do-not-leak", _harness.Reporter.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CircleCi_BASH_ENV_carries_exports_to_later_steps()
    {
        var job = Plans.Job([
            Plans.Run("Set", "echo 'export FROM_EARLIER=yes' >> \"$BASH_ENV\""),
            Plans.Run("Use", "echo \"from earlier: $FROM_EARLIER\""),
        ]);

        await _harness.RunAsync(Plans.Assignment(job));

        Assert.Contains("from earlier: yes", _harness.Reporter.StepLog(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdin_is_empty()
    {
        var job = Plans.Job([Plans.Run("stdin", "cat; echo \"read: $(wc -c < /dev/stdin)\"")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job)).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.Contains("read: 0", _harness.Reporter.StepLog(0), StringComparison.Ordinal);
    }

    internal static Dictionary<string, string> ParseEnvironment(string stepLog)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in stepLog.Split('\n'))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && !line.StartsWith('\u001b'))
            {
                environment.TryAdd(line[..equals], line[(equals + 1)..]);
            }
        }

        return environment;
    }
}
