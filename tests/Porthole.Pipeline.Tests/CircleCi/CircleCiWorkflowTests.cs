using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

public sealed class CircleCiWorkflowTests
{
    private static readonly string[] ThreeJobs =
    [
        "version: 2",
        "jobs:",
        "  build: {steps: [checkout]}",
        "  test: {steps: [checkout]}",
        "  deploy: {steps: [checkout]}",
    ];

    [Fact]
    public void Workflows_with_requires_fan_out_and_in()
    {
        var plan = Planned(ReadCircle([
            .. ThreeJobs,
            "workflows:",
            "  version: 2",
            "  main:",
            "    jobs:",
            "      - build",
            "      - test:",
            "          requires: [build]",
            "      - deploy:",
            "          requires:",
            "            - build",
            "            - test",
        ]));

        var workflow = Assert.Single(plan.Workflows);
        Assert.Equal("main", workflow.Name);
        Assert.Equal(["build", "test", "deploy"], workflow.Jobs.Select(job => job.Name));
        Assert.Empty(workflow.Jobs[0].Requires);
        Assert.Equal(["build"], workflow.Jobs[1].Requires);
        Assert.Equal(["build", "test"], workflow.Jobs[2].Requires);
    }

    [Fact]
    public void Without_workflows_the_build_job_runs_in_a_workflow_named_workflow()
    {
        var plan = Planned(ReadCircle(ThreeJobs));

        var workflow = Assert.Single(plan.Workflows);
        Assert.Equal("workflow", workflow.Name);
        Assert.Equal("build", Assert.Single(workflow.Jobs).Name);
    }

    [Fact]
    public void Without_workflows_and_without_a_build_job_is_an_error()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  test: {steps: [checkout]}"), 2, 1, "there are no workflows and no job named 'build'");
    }

    [Fact]
    public void A_job_can_run_twice_under_distinct_names()
    {
        var plan = Planned(ReadCircle([
            .. ThreeJobs,
            "workflows:",
            "  w:",
            "    jobs:",
            "      - test: {name: test-a}",
            "      - test: {name: test-b, requires: [test-a]}",
        ]));

        Assert.Equal(["test-a", "test-b"], plan.Workflows[0].Jobs.Select(job => job.Name));
        Assert.Equal(["test-a"], plan.Workflows[0].Jobs[1].Requires);
    }

    [Fact]
    public void A_job_listed_twice_without_a_distinct_name_is_an_error()
    {
        var result = ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    jobs:", "      - build", "      - build"]);

        OnlyError(result, 10, 9, "job 'build' is listed twice in workflow 'w'; give one a distinct name:");
    }

    [Fact]
    public void A_workflow_job_that_is_not_defined_is_an_error()
    {
        OnlyError(ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    jobs: [build, lint]"]), 8, 19, "job 'lint' is not defined under jobs");
    }

    [Fact]
    public void Requires_indented_beside_the_job_name_is_an_error_naming_both_keys()
    {
        var result = ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    jobs:", "      - build", "      - test:", "        requires: [build]"]);

        OnlyError(result, 10, 9, "a workflow job is a map with one key, the job's name; this one has 2: test, requires");
    }

    [Theory]
    [InlineData("filters: {branches: {only: main}}", "branch and tag filters are not supported", "branch and tag filters")]
    [InlineData("context: org", "contexts are not supported", "contexts")]
    [InlineData("type: approval", "approval jobs are not supported", "approval jobs")]
    [InlineData("matrix: {parameters: {v: [1, 2]}}", "job matrices are not supported", "job matrices")]
    [InlineData("pre-steps: [checkout]", "pre-steps are not supported", "pre-steps and post-steps")]
    [InlineData("image: node:12", "job parameters are not supported ('image' is passed to job 'build')", "job parameters")]
    public void Workflow_job_settings_that_change_the_run_are_refused_at_the_key(string setting, string message, string feature)
    {
        var result = ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    jobs:", "      - build:", $"          {setting}"]);

        var error = ErrorAt(result, 10, 11, message, feature);
        Assert.Equal(error, Assert.Single(result.Errors));
    }

    [Fact]
    public void An_approval_job_needs_no_definition_but_is_refused()
    {
        var result = ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    jobs:", "      - hold: {type: approval}", "      - deploy: {requires: [hold]}"]);

        OnlyError(result, 9, 16, "approval jobs are not supported", "approval jobs");
    }

    [Fact]
    public void Orb_jobs_in_a_workflow_are_refused()
    {
        var result = ReadCircle(["version: 2.1", "jobs:", "  build: {steps: [checkout]}", "workflows:", "  w:", "    jobs:", "      - build", "      - aws/deploy"]);

        OnlyError(result, 8, 9, "orbs are not supported ('aws/deploy' is an orb job)", "orbs");
    }

    [Theory]
    [InlineData("triggers:\n      - schedule: {cron: '0 0 * * *'}", "scheduled triggers are not supported", "scheduled triggers")]
    [InlineData("when: << pipeline.parameters.run >>", "workflow conditions (when) are not supported", "workflow conditions")]
    [InlineData("unless: true", "workflow conditions (unless) are not supported", "workflow conditions")]
    public void Workflow_keys_that_change_the_run_are_refused(string key, string message, string feature)
    {
        var result = ReadCircle([.. ThreeJobs, "workflows:", "  w:", $"    {key}", "    jobs: [build]"]);

        OnlyError(result, 8, 5, message, feature);
    }

    [Fact]
    public void A_workflow_without_jobs_is_an_error()
    {
        OnlyError(ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    jobs: []"]), 7, 3, "workflow 'w' has no jobs");
    }

    [Fact]
    public void A_bad_workflows_version_is_an_error()
    {
        OnlyError(ReadCircle([.. ThreeJobs, "workflows:", "  version: 3", "  w: {jobs: [build]}"]), 7, 12, "the workflows version must be 2");
    }

    [Fact]
    public void Quoted_workflow_names_and_job_names_with_spaces_are_kept()
    {
        var plan = Planned(ReadCircle([.. ThreeJobs, "workflows:", "  \"Build All\":", "    jobs:", "      - build: {name: .NET 6.0 Debug}"]));

        Assert.Equal("Build All", plan.Workflows[0].Name);
        Assert.Equal(".NET 6.0 Debug", plan.Workflows[0].Jobs[0].Name);
    }

    [Fact]
    public void Top_level_keys_that_hold_anchors_are_accepted_and_feature_keys_are_refused()
    {
        var result = ReadCircle([
            "version: 2.1",
            "references:",
            "  a: &a x",
            "aliases:",
            "  - &b y",
            "executors:",
            "  e: {docker: [{image: a}]}",
            "parameters:",
            "  p: {type: string, default: x}",
            "setup: true",
            "experimental:",
            "  notify:",
            "    branches: {only: [main]}",
            "  pipelines: true",
            "jobs:",
            "  build: {steps: [checkout]}",
        ]);

        ErrorAt(result, 6, 1, "executors are not supported", "executors");
        ErrorAt(result, 8, 1, "pipeline parameters are not supported", "pipeline parameters");
        ErrorAt(result, 10, 1, "dynamic configuration (setup) is not supported", "dynamic configuration");
        ErrorAt(result, 14, 3, "experimental pipelines is not supported");
        Assert.Equal(4, result.Errors.Count);
    }
}
