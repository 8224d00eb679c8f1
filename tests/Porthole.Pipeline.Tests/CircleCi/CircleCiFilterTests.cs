using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

/// <summary>Workflow job <c>filters:</c> judged against the pipeline's branch or tag (dialects.md §A6).</summary>
public sealed class CircleCiFilterTests
{
    private static readonly string[] Jobs =
    [
        "version: 2",
        "jobs:",
        "  build: {docker: [{image: alpine}], steps: [checkout]}",
        "  test: {docker: [{image: alpine}], steps: [checkout]}",
        "  deploy: {docker: [{image: alpine}], steps: [checkout]}",
    ];

    [Theory]
    [InlineData("main", true)]
    [InlineData("dev", false)]
    [InlineData("main2", false)]
    public void Branches_only_with_a_name_admits_exactly_that_branch(string branch, bool runs)
    {
        var result = Read(Branch(branch), [.. Jobs, "workflows:", "  w:", "    jobs:", "      - build", "      - deploy: {filters: {branches: {only: main}}}"]);

        Assert.Equal(runs ? ["build", "deploy"] : ["build"], JobNames(result));
    }

    [Theory]
    [InlineData("main", false)]
    [InlineData("gh-pages", false)]
    [InlineData("dev", true)]
    public void Branches_ignore_with_a_list_admits_every_other_branch(string branch, bool runs)
    {
        var result = Read(Branch(branch), [.. Jobs, "workflows:", "  w:", "    jobs:", "      - build", "      - deploy:", "          filters:", "            branches:", "              ignore: [main, gh-pages]"]);

        Assert.Equal(runs ? ["build", "deploy"] : ["build"], JobNames(result));
    }

    [Theory]
    [InlineData("feature-login", true)]
    [InlineData("feature-", false)]
    [InlineData("my-feature-login", false)]
    [InlineData("feature-login-2", true)]
    public void A_slash_pattern_is_a_regex_that_must_match_the_whole_branch_not_a_prefix_or_a_part(string branch, bool runs)
    {
        var result = Read(Branch(branch), [.. Jobs, "workflows:", "  w:", "    jobs:", "      - build", "      - deploy: {filters: {branches: {only: /feature-.+/}}}"]);

        Assert.Equal(runs ? ["build", "deploy"] : ["build"], JobNames(result));
    }

    [Fact]
    public void A_regex_naming_the_start_of_a_branch_does_not_admit_longer_names()
    {
        var result = Read(Branch("release-1"), [.. Jobs, "workflows:", "  w:", "    jobs:", "      - build", "      - deploy: {filters: {branches: {only: /release/}}}"]);

        Assert.Equal(["build"], JobNames(result));
    }

    [Theory]
    [InlineData("release-1", true)]
    [InlineData("release-broken", false)]
    [InlineData("main", false)]
    public void Only_is_considered_before_ignore(string branch, bool runs)
    {
        var result = Read(Branch(branch), [.. Jobs, "workflows:", "  w:", "    jobs:", "      - build", "      - deploy: {filters: {branches: {only: /release-.*/, ignore: release-broken}}}"]);

        Assert.Equal(runs ? ["build", "deploy"] : ["build"], JobNames(result));
    }

    [Fact]
    public void A_requires_on_a_dropped_job_is_ignored_while_another_requirement_runs()
    {
        var result = Read(Branch("dev"), [
            .. Jobs, "workflows:", "  w:", "    jobs:",
            "      - build: {filters: {branches: {only: main}}}",
            "      - test",
            "      - deploy: {requires: [build, test]}",
        ]);

        var jobs = Planned(result).Workflows.Single().Jobs;
        Assert.Equal(["test", "deploy"], jobs.Select(job => job.Name));
        Assert.Equal(["test"], jobs[1].Requires);
    }

    [Fact]
    public void A_job_all_of_whose_requirements_were_dropped_is_dropped_too_down_the_chain()
    {
        // §A6 (CR requires): "if all dependencies of a job are filtered, that job doesn't execute either".
        var result = Read(Branch("dev"), [
            .. Jobs, "workflows:",
            "  chain:",
            "    jobs:",
            "      - deploy: {requires: [test]}",
            "      - test: {requires: [build]}",
            "      - build: {filters: {branches: {only: main}}}",
            "  other:",
            "    jobs: [build]",
        ]);

        var workflow = Assert.Single(Planned(result).Workflows);
        Assert.Equal("other", workflow.Name);
    }

    [Fact]
    public void A_job_without_a_tags_filter_does_not_run_on_a_tag()
    {
        var result = Read(Tag("v1.0"), [
            .. Jobs, "workflows:", "  w:", "    jobs:",
            "      - build: {filters: {tags: {only: /v.*/}}}",
            "      - test",
            "      - deploy: {filters: {branches: {only: main}}}",
        ]);

        Assert.Equal(["build"], JobNames(result));
    }

    [Fact]
    public void On_a_tag_a_job_needs_tag_filters_on_all_its_upstream_jobs_too()
    {
        // §A6: "A job on a tag build needs tag filters on all its upstream jobs"; it follows from the requires rule.
        string[] workflow(string buildFilters) =>
        [
            .. Jobs, "workflows:", "  w:", "    jobs:",
            $"      - build{buildFilters}",
            "      - test: {filters: {tags: {only: /.*/}}}",
            "      - deploy: {requires: [build], filters: {tags: {only: /^v.*/}}}",
        ];

        Assert.Equal(["test"], JobNames(Read(Tag("v2"), workflow(""))));
        Assert.Equal(["build", "test", "deploy"], JobNames(Read(Tag("v2"), workflow(": {filters: {tags: {only: /v2|v3/}}}"))));
    }

    [Theory]
    [InlineData("v1", true)]
    [InlineData("v1-rc", false)]
    [InlineData("nightly", false)]
    public void Tags_only_and_ignore_follow_the_same_full_match_rules(string tag, bool runs)
    {
        var result = Read(Tag(tag), [
            .. Jobs, "workflows:", "  w:", "    jobs:",
            "      - build: {filters: {tags: {only: /.*/}}}",
            "      - deploy: {filters: {tags: {only: '/v[0-9]+.*/', ignore: /.*-rc/}}}",
        ]);

        Assert.Equal(runs ? ["build", "deploy"] : ["build"], JobNames(result));
    }

    [Fact]
    public void An_empty_tags_filter_still_runs_on_no_tag()
    {
        var result = Read(Tag("v1"), [.. Jobs, "workflows:", "  w:", "    jobs:", "      - build: {filters: {tags: {only: /.*/}}}", "      - deploy: {filters: {tags: {}}}"]);

        Assert.Equal(["build"], JobNames(result));
    }

    [Fact]
    public void When_a_pipeline_has_a_branch_and_a_tag_the_branch_filters_decide()
    {
        var values = new PipelineValues { Branch = "main", Tag = "v1" };

        var result = Read(values, [.. Jobs, "workflows:", "  w:", "    jobs:", "      - build", "      - deploy: {filters: {branches: {ignore: main}, tags: {only: /.*/}}}"]);

        Assert.Equal(["build"], JobNames(result));
    }

    [Fact]
    public void Without_a_branch_or_tag_validate_filters_nothing_and_checks_everything()
    {
        var plan = Planned(ReadCircle([
            .. Jobs, "workflows:", "  w:", "    jobs:",
            "      - build: {filters: {branches: {only: main}}}",
            "      - test: {filters: {tags: {only: /v.*/}, branches: {ignore: /.*/}}}",
            "      - deploy: {requires: [build, test]}",
        ]));

        var jobs = plan.Workflows.Single().Jobs;
        Assert.Equal(["build", "test", "deploy"], jobs.Select(job => job.Name));
        Assert.Equal(["build", "test"], jobs[2].Requires);
    }

    [Fact]
    public void When_every_workflow_is_filtered_away_the_config_gets_an_error_at_workflows()
    {
        var result = Read(Branch("dev"), [.. Jobs, "workflows:", "  w:", "    jobs:", "      - build: {filters: {branches: {only: main}}}"]);

        OnlyError(result, 6, 1, "no workflow runs for branch 'dev': the job filters drop every job");
    }

    [Fact]
    public void On_a_tag_with_no_tag_filters_anywhere_the_error_says_why()
    {
        var result = Read(Tag("v1"), [.. Jobs, "workflows:", "  w:", "    jobs: [build, test]"]);

        var error = OnlyError(result, 6, 1, "no workflow runs for tag 'v1'");
        Assert.Contains("tags filter", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{branches: {only: /feature-(/}}", 10, 45, "the filter 'feature-(' is not a valid regular expression: insufficient closing parentheses at offset 9")]
    [InlineData("{branches: {only: main, except: dev}}", 10, 51, "unknown key 'except' in branches; a filter takes only and ignore")]
    [InlineData("{branch: {only: main}}", 10, 28, "unknown key 'branch' in filters; filters take branches and tags")]
    [InlineData("{branches: {only: []}}", 10, 45, "branches only is an empty list")]
    [InlineData("{branches: {only: [main, {a: b}]}}", 10, 52, "branches only must be a name or a list of names, found a map")]
    [InlineData("{tags: main}", 10, 34, "tags must be a map, found a string")]
    [InlineData("[main]", 10, 27, "filters must be a map, found a list")]
    public void A_malformed_filter_is_an_error_at_its_place(string filters, int line, int column, string message)
    {
        var result = ReadCircle([.. Jobs, "workflows:", "  w:", "    jobs:", "      - build", $"      - deploy: {{filters: {filters}}}"]);

        OnlyError(result, line, column, message);
    }

    [Fact]
    public void A_filters_string_is_the_new_expression_form_and_is_refused_by_name()
    {
        var result = ReadCircle([.. Jobs, "workflows:", "  w:", "    jobs:", "      - deploy:", "          filters: pipeline.git.branch == \"main\""]);

        OnlyError(result, 10, 20, "filter expressions (a filters: string) are not supported", "filter expressions");
    }

    [Fact]
    public void A_2_1_config_is_filtered_after_it_is_compiled()
    {
        var result = Read(Branch("dev"), [
            "version: 2.1",
            "jobs:",
            "  build: {docker: [{image: alpine}], steps: [checkout]}",
            "  deploy: {docker: [{image: alpine}], steps: [checkout]}",
            "workflows:",
            "  w:",
            "    jobs:",
            "      - build",
            "      - deploy: {requires: [build], filters: {branches: {only: main}}}",
        ]);

        Assert.Equal(["build"], JobNames(result));
    }

    internal static PipelineValues Branch(string branch) => new() { Branch = branch, TriggerSource = TriggerSources.Webhook };

    internal static PipelineValues Tag(string tag) => new() { Tag = tag, TriggerSource = TriggerSources.Webhook };

    internal static ConfigResult Read(PipelineValues values, string[] lines) =>
        ConfigReader.Read(CirclePath, Lines(lines), null, null, new ConfigInputs { Values = values });

    private static IEnumerable<string> JobNames(ConfigResult result) =>
        Assert.Single(Planned(result).Workflows).Jobs.Select(job => job.Name);
}
