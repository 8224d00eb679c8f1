using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

/// <summary><c>store_artifacts</c> and <c>store_test_results</c> (dialects.md §A5): both upload even after a failed step.</summary>
public sealed class CircleCiUploadStepTests
{
    /// <summary>A job whose steps start on line 6.</summary>
    private static ConfigResult ReadSteps(params string[] steps) =>
        ReadCircle(["version: 2", "jobs:", "  build:", "    docker: [{image: cimg/base:2024.06}]", "    steps:", .. steps]);

    private static int Column(string line, string text) => line.IndexOf(text, StringComparison.Ordinal) + 1;

    [Fact]
    public void Store_artifacts_runs_always_with_its_path_and_destination()
    {
        var step = Assert.Single(OnlyJob(ReadSteps("      - store_artifacts: {path: /tmp/test-results, destination: raw-test-output}")).Steps);

        Assert.Equivalent(
            new StepPlan(StepKind.StoreArtifacts, "Uploading artifacts", null, "/bin/bash -eo pipefail", [], null, false, StepCondition.Always, null)
            {
                StoreArtifacts = new StoreArtifactsPlan("/tmp/test-results", "raw-test-output"),
            },
            step,
            strict: true);
        Assert.True(step.AffectsResult);
    }

    [Fact]
    public void Store_artifacts_without_a_destination_leaves_it_to_the_node()
    {
        var step = Assert.Single(OnlyJob(ReadSteps("      - store_artifacts:", "          path: ~/logs", "          name: Keep the logs")).Steps);

        Assert.Equal(new StoreArtifactsPlan("~/logs", null), step.StoreArtifacts);
        Assert.Equal("Keep the logs", step.Name);
    }

    [Fact]
    public void Store_test_results_runs_always_with_its_path()
    {
        var step = Assert.Single(OnlyJob(ReadSteps("      - store_test_results:", "          path: test-results")).Steps);

        Assert.Equivalent(
            new StepPlan(StepKind.StoreTestResults, "Uploading test results", null, "/bin/bash -eo pipefail", [], null, false, StepCondition.Always, null)
            {
                StoreTestResults = new StoreTestResultsPlan("test-results"),
            },
            step,
            strict: true);
    }

    [Fact]
    public void After_a_failing_run_step_the_uploads_still_run_and_a_later_run_does_not()
    {
        var steps = OnlyJob(ReadSteps(
            "      - run: make test",
            "      - store_test_results: {path: results}",
            "      - store_artifacts: {path: results}",
            "      - run: make package")).Steps;

        Assert.Equal(
            [StepCondition.OnSuccess, StepCondition.Always, StepCondition.Always, StepCondition.OnSuccess],
            steps.Select(step => step.When));
    }

    [Theory]
    [InlineData("      - store_artifacts: {destination: x}", "store_artifacts", "store_artifacts needs path")]
    [InlineData("      - store_artifacts", "store_artifacts", "store_artifacts needs path")]
    [InlineData("      - store_test_results: {name: x}", "store_test_results", "store_test_results needs path")]
    [InlineData("      - store_test_results: {path: x, destination: y}", "destination", "unknown store_test_results key 'destination'; it takes path and name")]
    [InlineData("      - store_artifacts: {path: x, when: always}", "when", "unknown store_artifacts key 'when'; it takes path, destination and name")]
    [InlineData("      - store_artifacts: dist", "dist", "store_artifacts must be a map of path, destination and name, found a string")]
    [InlineData("      - store_artifacts: {path: '   '}", "'", "path is empty")]
    [InlineData("      - store_test_results: {path: [a, b]}", "[a, b]", "path must be a string, found a list")]
    public void Errors_point_at_their_cause(string step, string at, string message)
    {
        OnlyError(ReadSteps(step), 6, Column(step, at), message);
    }
}
