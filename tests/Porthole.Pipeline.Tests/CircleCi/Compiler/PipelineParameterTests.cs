using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary>Pipeline parameters and values (dialects.md §A0 step 2, §A1.6), workflow conditions (§A3) and matrices (§A2).</summary>
public sealed class PipelineParameterTests
{
    private static readonly string[] Config =
    [
        "version: 2.1",
        "parameters:",
        "  run-nightly: {type: boolean, default: false}",
        "  target: {type: string, default: staging}",
        "jobs:",
        "  build:",
        "    docker: [{image: alpine}]",
        "    steps: [{run: 'echo << pipeline.parameters.target >> on << pipeline.git.branch >>'}]",
        "  nightly:",
        "    docker: [{image: alpine}]",
        "    steps: [{run: make nightly}]",
        "workflows:",
        "  main:",
        "    unless: << pipeline.parameters.run-nightly >>",
        "    jobs: [build]",
        "  nightly:",
        "    when: << pipeline.parameters.run-nightly >>",
        "    jobs: [nightly]",
    ];

    private static ConfigResult Read(Dictionary<string, string> parameters, string? branch = "main") =>
        ConfigReader.Read(CirclePath, Lines(Config), inputs: new ConfigInputs
        {
            Values = new PipelineValues { Branch = branch, Parameters = parameters },
        });

    [Fact]
    public void Defaults_apply_when_the_trigger_gives_no_parameters()
    {
        var plan = Planned(Read([]));

        var workflow = Assert.Single(plan.Workflows);
        Assert.Equal("main", workflow.Name);
        Assert.Equal("echo staging on main", workflow.Jobs[0].Steps[0].Command);
        Assert.Equal([new("run-nightly", "false"), new("target", "staging")], plan.Parameters);
    }

    [Fact]
    public void Trigger_parameters_override_defaults_and_choose_the_workflows()
    {
        var plan = Planned(Read(new() { ["run-nightly"] = "true", ["target"] = "production" }));

        Assert.Equal(["nightly"], plan.Workflows.Select(workflow => workflow.Name));
        Assert.Contains(new("target", "production"), plan.Parameters);
    }

    [Fact]
    public void An_undeclared_or_ill_typed_trigger_parameter_is_refused()
    {
        var unknown = Read(new() { ["colour"] = "red" });
        var typed = Read(new() { ["run-nightly"] = "maybe" });

        Assert.Contains(unknown.Errors, e => e.Message.StartsWith("Unexpected argument(s): colour", StringComparison.Ordinal));
        Assert.Contains(typed.Errors, e => e.Message.Contains("run-nightly", StringComparison.Ordinal));
    }

    [Fact]
    public void Pipeline_git_branch_is_empty_on_a_tag_pipeline_and_git_tag_holds_the_tag()
    {
        var plan = Planned(ConfigReader.Read(CirclePath, Lines(
            "version: 2.1",
            "jobs:",
            "  release:",
            "    docker: [{image: alpine}]",
            "    steps: [{run: 'echo [<< pipeline.git.branch >>] [<< pipeline.git.tag >>]'}]",
            "workflows:",
            "  w:",
            "    jobs:",
            "      - release: {filters: {tags: {only: /^v.*/}}}"), inputs: new ConfigInputs
        {
            Values = new PipelineValues { Tag = "v1.0.0" },
        }));

        Assert.Equal("echo [] [v1.0.0]", plan.Workflows[0].Jobs[0].Steps[0].Command);
    }

    [Fact]
    public void Pipeline_values_and_parameters_in_a_parameter_default_are_the_pipelines_but_other_references_stay_as_written()
    {
        // §A0 step 3: pipeline values are substituted everywhere outside orbs, the declarations' defaults included.
        var plan = Planned(ConfigReader.Read(CirclePath, Lines(
            "version: 2.1",
            "parameters:",
            "  region: {type: string, default: eu}",
            "commands:",
            "  say:",
            "    parameters:",
            "      what: {type: string, default: 'branch << pipeline.git.branch >> in << pipeline.parameters.region >>'}",
            "      same: {type: string, default: '<< parameters.what >>'}",
            "    steps: [{run: 'echo << parameters.what >> / << parameters.same >>'}]",
            "jobs:",
            "  build:",
            "    parameters:",
            "      runs: {type: integer, default: << pipeline.number >>}",
            "    docker: [{image: alpine}]",
            "    parallelism: << parameters.runs >>",
            "    steps: [say]",
            "workflows:",
            "  w:",
            "    jobs: [build]"), inputs: new ConfigInputs
        {
            Values = new PipelineValues { Branch = "feature/x", Number = 3 },
        }));

        var job = plan.Workflows[0].Jobs[0];
        Assert.Equal(3, job.Parallelism);
        Assert.Equal("echo branch feature/x in eu / << parameters.what >>", job.Steps[0].Command);
    }

    [Fact]
    public void A_workflow_condition_can_test_the_trigger_source()
    {
        // pandas' workflow: not: equal: [scheduled_pipeline, << pipeline.trigger_source >>].
        string[] config =
        [
            "version: 2.1",
            "jobs:",
            "  build: {docker: [{image: alpine}], steps: [checkout]}",
            "workflows:",
            "  pushes:",
            "    when:",
            "      not:",
            "        equal: [scheduled_pipeline, << pipeline.trigger_source >>]",
            "    jobs: [build]",
        ];

        var pushed = ConfigReader.Read(CirclePath, Lines(config), inputs: new ConfigInputs { Values = new PipelineValues { TriggerSource = TriggerSources.Webhook } });
        var scheduled = ConfigReader.Read(CirclePath, Lines(config), inputs: new ConfigInputs { Values = new PipelineValues { TriggerSource = TriggerSources.Schedule, ScheduleName = "x" } });

        Assert.Single(Planned(pushed).Workflows);
        Assert.False(scheduled.IsValid);
    }

    [Fact]
    public void A_matrix_makes_one_job_per_combination_and_requires_pairs_instances_by_matrix_value()
    {
        // CR "Dependencies and matrix jobs": deploy-v<< matrix.version >> requires build-v<< matrix.version >>.
        var plan = Planned(ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    parameters: {version: {type: string}}",
            "    docker: [{image: 'node:<< parameters.version >>'}]",
            "    steps: [checkout]",
            "  deploy:",
            "    parameters: {version: {type: string}}",
            "    docker: [{image: alpine}]",
            "    steps: [{run: 'deploy << parameters.version >>'}]",
            "  report:",
            "    docker: [{image: alpine}]",
            "    steps: [checkout]",
            "workflows:",
            "  w:",
            "    jobs:",
            "      - build:",
            "          name: build-v<< matrix.version >>",
            "          matrix:",
            "            alias: builds",
            "            parameters: {version: ['18', '20']}",
            "      - deploy:",
            "          name: deploy-v<< matrix.version >>",
            "          matrix: {parameters: {version: ['18', '20']}}",
            "          requires: [build-v<< matrix.version >>]",
            "      - report: {requires: [builds]}"));

        var jobs = plan.Workflows[0].Jobs;
        Assert.Equal(["build-v18", "build-v20", "deploy-v18", "deploy-v20", "report"], jobs.Select(job => job.Name));
        Assert.Equal("node:20", jobs[1].Executor.Image);
        Assert.Equal(["build-v20"], jobs[3].Requires);
        Assert.Equal(["build-v18", "build-v20"], jobs[4].Requires);
        Assert.Equal("deploy 18", jobs[2].Steps[0].Command);
    }

    [Fact]
    public void Matrix_instances_are_named_after_the_job_and_their_values_and_their_alias_is_the_jobs_name()
    {
        var plan = Planned(ReadCircle(
            "version: 2.1",
            "jobs:",
            "  test:",
            "    parameters: {os: {type: string}, node: {type: string}}",
            "    docker: [{image: alpine}]",
            "    steps: [{run: 'echo << parameters.os >> << parameters.node >>'}]",
            "  done:",
            "    docker: [{image: alpine}]",
            "    steps: [checkout]",
            "workflows:",
            "  w:",
            "    jobs:",
            "      - test:",
            "          matrix:",
            "            parameters: {os: [linux], node: ['18', '20']}",
            "            exclude: [{os: linux, node: '18'}]",
            "      - done: {requires: [test]}"));

        var jobs = plan.Workflows[0].Jobs;
        Assert.Equal(["test-20-linux", "done"], jobs.Select(job => job.Name));
        Assert.Equal(["test-20-linux"], jobs[1].Requires);
    }
}
