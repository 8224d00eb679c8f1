using Porthole.Contracts.Plans;
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
    [InlineData("matrix: {parameters: {v: [1, 2]}}", "job matrices need version: 2.1")]
    [InlineData("pre-steps: [checkout]", "pre-steps and post-steps need version: 2.1")]
    [InlineData("image: node:12", "job parameters ('image' is passed to job 'build') need version: 2.1")]
    public void Workflow_job_settings_of_2_1_are_errors_at_the_key_in_a_version_2_file(string setting, string message)
    {
        var result = ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    jobs:", "      - build:", $"          {setting}"]);

        OnlyError(result, 10, 11, message);
    }

    [Theory]
    [InlineData("serial-group: deploys", "serial-group is not supported", "serial-group")]
    [InlineData("requires: [{test: failed}]", "requires with job statuses are not supported", "requires with job statuses")]
    public void Workflow_job_settings_Porthole_does_not_do_are_refused_by_name(string setting, string message, string feature)
    {
        var result = ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    jobs:", "      - test", "      - build:", $"          {setting}"]);

        Assert.Equal(feature, Assert.Single(result.Errors).Feature);
        Assert.Contains(message, result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Filters_context_and_approval_are_planned_where_they_were_refused_before()
    {
        // §A6: each of these used to be refused by feature name; now each is read into the plan.
        var plan = Planned(ReadCircle([
            .. ThreeJobs, "workflows:", "  w:", "    jobs:",
            "      - build: {filters: {branches: {only: main}}, context: org}",
            "      - hold: {type: approval, requires: [build]}",
            "      - deploy: {requires: [hold]}",
        ]));

        var jobs = plan.Workflows.Single().Jobs;
        Assert.Equal(["build", "hold", "deploy"], jobs.Select(job => job.Name));
        Assert.Equal(["org"], jobs[0].Contexts);
        Assert.Equal(JobType.Approval, jobs[1].Type);
    }

    [Fact]
    public void Context_is_a_name_or_a_list_of_names_in_order_each_once_and_may_have_spaces_as_CircleCI_names_do()
    {
        var plan = Planned(ReadCircle([
            .. ThreeJobs, "workflows:", "  w:", "    jobs:",
            "      - build: {context: org-global}",
            "      - test: {context: [aws_prod, docker.hub, org-global, aws_prod, Gruntwork Admin]}",
            "      - deploy",
        ]));

        var jobs = plan.Workflows.Single().Jobs;
        Assert.Equal(["org-global"], jobs[0].Contexts);
        Assert.Equal(["aws_prod", "docker.hub", "org-global", "Gruntwork Admin"], jobs[1].Contexts);
        Assert.Empty(jobs[2].Contexts);
    }

    [Theory]
    [InlineData("\"org;rm -rf /\"", 9, 26, "context name 'org;rm -rf /' has ';'")]
    [InlineData("\"$(id)\"", 9, 26, "context name '$(id)' starts with '$'")]
    [InlineData("[ok, \"a\\tb\"]", 9, 31, "context name 'a\tb' has U+0009")]
    [InlineData("[ok, \"a  b\"]", 9, 31, "context name 'a  b' has a space at its end or two in a row")]
    [InlineData("[ok, ../secrets]", 9, 31, "context name '../secrets' starts with '.'")]
    [InlineData("\"\"", 9, 26, "context name '' is empty")]
    [InlineData("[]", 9, 26, "context is an empty list")]
    [InlineData("{name: org}", 9, 26, "context must be a context name or a list of them, found a map")]
    public void A_context_name_outside_letters_digits_and_dot_dash_underscore_is_an_error_naming_the_character(string context, int line, int column, string message)
    {
        var result = ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    jobs:", $"      - build: {{context: {context}}}"]);

        OnlyError(result, line, column, message);
    }

    [Fact]
    public void A_context_name_longer_than_100_characters_is_an_error()
    {
        var result = ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    jobs:", $"      - build: {{context: {new string('a', 101)}}}"]);

        OnlyError(result, 9, 26, "is 101 characters long; the limit is 100");
    }

    [Fact]
    public void Orb_jobs_in_a_version_2_workflow_need_2_1()
    {
        var result = ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    jobs:", "      - build", "      - aws/deploy"]);

        OnlyError(result, 10, 9, "orbs ('aws/deploy' is an orb job) need version: 2.1");
    }

    [Fact]
    public void An_unresolved_orb_job_in_a_2_1_workflow_is_reported_once()
    {
        var result = ReadCircle(["version: 2.1", "jobs:", "  build: {steps: [checkout]}", "workflows:", "  w:", "    jobs:", "      - build", "      - aws/deploy"]);

        var error = Assert.Single(result.Errors);
        Assert.Equal((8, 9), (error.Line, error.Column));
        Assert.Contains("aws/deploy", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("when: << pipeline.parameters.run >>")]
    [InlineData("unless: true")]
    public void Workflow_conditions_in_a_version_2_file_are_errors(string key)
    {
        var result = ReadCircle([.. ThreeJobs, "workflows:", "  w:", $"    {key}", "    jobs: [build]"]);

        OnlyError(result, 8, 5, "workflow conditions need version: 2.1 (this config says version: 2)");
    }

    [Fact]
    public void An_unknown_workflow_key_is_an_error()
    {
        OnlyError(ReadCircle([.. ThreeJobs, "workflows:", "  w:", "    trigger: []", "    jobs: [build]"]), 8, 5, "unknown workflow key 'trigger'");
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
    public void Top_level_keys_that_hold_anchors_and_2_1_reuse_keys_are_accepted_and_setup_is_refused()
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

        // executors and parameters are compiled (2.1); setup is the one key still refused.
        OnlyError(result, 10, 1, "dynamic configuration (setup) is not supported", "dynamic configuration");
    }
}
