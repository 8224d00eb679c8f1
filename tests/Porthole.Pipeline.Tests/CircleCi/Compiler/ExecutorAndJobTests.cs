using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary>Executors merged into jobs (§A1.4) and jobs invoked from workflows (§A1.5).</summary>
public sealed class ExecutorAndJobTests
{
    private static readonly string[] Executors =
    [
        "version: 2.1",
        "executors:",
        "  node:",
        "    parameters:",
        "      tag: {type: string, default: '20'}",
        "    docker:",
        "      - image: cimg/node:<< parameters.tag >>",
        "    working_directory: ~/app",
        "    environment:",
        "      ENV: ci",
        "      SHARED: executor",
    ];

    [Fact]
    public void An_executor_by_name_gives_the_job_its_image_directory_and_environment()
    {
        var job = OnlyJob(ReadCircle([.. Executors,
            "jobs:",
            "  build:",
            "    executor: node",
            "    steps: [checkout]"]));

        Assert.Equal("cimg/node:20", job.Executor.Image);
        Assert.Equal("~/app", job.WorkingDirectory);
        Assert.Equal([new("ENV", "ci"), new("SHARED", "executor")], job.Environment);
    }

    [Fact]
    public void Job_keys_replace_the_executors_wholesale_but_environment_is_merged_with_the_job_winning()
    {
        // §A1.4 rule 2 (RC "Overriding keys").
        var job = OnlyJob(ReadCircle([.. Executors,
            "jobs:",
            "  build:",
            "    executor: {name: node, tag: '18'}",
            "    docker:",
            "      - image: cimg/base:current",
            "    environment:",
            "      SHARED: job",
            "      OWN: yes",
            "    steps: [checkout]"]));

        Assert.Equal("cimg/base:current", job.Executor.Image);
        Assert.Equal("~/app", job.WorkingDirectory);
        Assert.Equal([new("ENV", "ci"), new("SHARED", "job"), new("OWN", "yes")], job.Environment);
    }

    [Fact]
    public void An_executor_with_arguments_is_bound_like_any_parameterized_element()
    {
        var job = OnlyJob(ReadCircle([.. Executors,
            "jobs:",
            "  build:",
            "    executor: {name: node, tag: '18.1'}",
            "    steps: [checkout]"]));

        Assert.Equal("cimg/node:18.1", job.Executor.Image);
    }

    [Fact]
    public void An_executor_parameter_chooses_the_executor()
    {
        var plan = Planned(ReadCircle([.. Executors,
            "  python:",
            "    docker: [{image: cimg/python:3.12}]",
            "jobs:",
            "  test:",
            "    parameters:",
            "      e: {type: executor}",
            "    executor: << parameters.e >>",
            "    steps: [checkout]",
            "workflows:",
            "  all:",
            "    jobs:",
            "      - test: {name: on-node, e: {name: node, tag: '16'}}",
            "      - test: {name: on-python, e: python}"]));

        Assert.Equal(["cimg/node:16", "cimg/python:3.12"], plan.Workflows[0].Jobs.Select(job => job.Executor.Image));
    }

    [Fact]
    public void A_job_and_its_executor_naming_different_executor_types_is_an_error()
    {
        var result = ReadCircle([.. Executors,
            "jobs:",
            "  build:",
            "    executor: node",
            "    machine: true",
            "    steps: [checkout]"]);

        ErrorAt(result, 15, 5, "the job sets machine and its executor 'node' sets docker");
    }

    [Fact]
    public void An_unknown_executor_and_an_unexpected_executor_argument_are_errors_where_written()
    {
        var result = ReadCircle([.. Executors,
            "jobs:",
            "  a:",
            "    executor: nodejs",
            "    steps: [checkout]",
            "  b:",
            "    executor: {name: node, version: '1'}",
            "    steps: [checkout]",
            "workflows:",
            "  w:",
            "    jobs: [a, b]"]);

        ErrorAt(result, 14, 15, "executor 'nodejs' is not defined under executors");
        ErrorAt(result, 17, 28, "Unexpected argument(s): version");
    }

    [Fact]
    public void A_job_invoked_twice_without_names_becomes_job_1_and_job_2()
    {
        // RC "Invoking the same job multiple times".
        var plan = Planned(ReadCircle(
            "version: 2.1",
            "jobs:",
            "  test:",
            "    parameters:",
            "      v: {type: string}",
            "    docker: [{image: 'python:<< parameters.v >>'}]",
            "    steps: [checkout]",
            "workflows:",
            "  all:",
            "    jobs:",
            "      - test: {v: '3.11'}",
            "      - test: {v: '3.12'}",
            "      - test: {v: '3.13', name: newest}"));

        Assert.Equal(
            [("test-1", "python:3.11"), ("test-2", "python:3.12"), ("newest", "python:3.13")],
            plan.Workflows[0].Jobs.Select(job => (job.Name, job.Executor.Image)));
    }

    [Fact]
    public void Requiring_a_name_that_several_unnamed_invocations_share_is_refused_in_CircleCIs_words()
    {
        var result = ReadCircle(
            "version: 2.1",
            "jobs:",
            "  test:",
            "    docker: [{image: alpine}]",
            "    steps: [checkout]",
            "  bug:",
            "    docker: [{image: alpine}]",
            "    steps: [checkout]",
            "workflows:",
            "  infra:",
            "    jobs:",
            "      - test",
            "      - test",
            "      - bug: {requires: [test]}");

        OnlyError(result, 14, 26, "Job 'bug' requires 'test', which is the name of 2 other jobs in workflow 'infra'");
    }

    [Fact]
    public void Pre_steps_and_post_steps_surround_the_jobs_own_steps_and_may_invoke_commands()
    {
        var plan = Planned(ReadCircle(
            "version: 2.1",
            "commands:",
            "  note:",
            "    parameters: {text: {type: string}}",
            "    steps: [{run: 'echo << parameters.text >>'}]",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [{run: make}]",
            "workflows:",
            "  w:",
            "    jobs:",
            "      - build:",
            "          pre-steps: [{note: {text: first}}]",
            "          post-steps: [{run: echo last}]"));

        Assert.Equal(["echo first", "make", "echo last"], plan.Workflows[0].Jobs[0].Steps.Select(step => step.Command));
    }

    [Fact]
    public void Arguments_keep_their_types_so_an_integer_parameter_sets_parallelism()
    {
        var plan = Planned(ReadCircle(
            "version: 2.1",
            "jobs:",
            "  test:",
            "    parameters:",
            "      nodes: {type: integer, default: 1}",
            "    parallelism: << parameters.nodes >>",
            "    docker: [{image: alpine}]",
            "    steps: [checkout]",
            "workflows:",
            "  w:",
            "    jobs:",
            "      - test: {nodes: 4}"));

        Assert.Equal(4, plan.Workflows[0].Jobs[0].Parallelism);
    }

    [Fact]
    public void A_missing_required_job_argument_and_a_bad_enum_value_are_errors_at_the_invocation()
    {
        var result = ReadCircle(
            "version: 2.1",
            "jobs:",
            "  deploy:",
            "    parameters:",
            "      target: {type: enum, enum: [staging, production]}",
            "    docker: [{image: alpine}]",
            "    steps: [{run: 'deploy << parameters.target >>'}]",
            "workflows:",
            "  w:",
            "    jobs:",
            "      - deploy: {name: one}",
            "      - deploy: {name: two, target: qa}");

        ErrorAt(result, 11, 9, "missing required argument 'target' of job 'deploy'");
        ErrorAt(result, 12, 37, "must be one of staging, production");
        Assert.Equal(2, result.Errors.Count);
    }

    [Fact]
    public void The_implicit_workflow_runs_the_build_job_of_a_2_1_file()
    {
        var plan = Planned(ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    parameters:",
            "      greeting: {type: string, default: hello}",
            "    docker: [{image: alpine}]",
            "    steps: [{run: 'echo << parameters.greeting >>'}]"));

        Assert.Equal("echo hello", Assert.Single(Assert.Single(plan.Workflows).Jobs).Steps[0].Command);
    }

    [Fact]
    public void Version_2_files_have_no_2_1_processing()
    {
        // §A0 step 1: no << >>, orbs, commands, executors or matrix in version 2.
        var result = ReadCircle(
            "version: 2",
            "commands:",
            "  say: {steps: [{run: echo}]}",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [{run: 'echo << parameters.x >>'}]");

        OnlyError(result, 2, 1, "commands need version: 2.1");
    }

    [Fact]
    public void Resource_class_is_planned_and_circleci_ip_ranges_and_experimental_are_accepted_with_warnings()
    {
        var result = ReadCircle(
            "version: 2.1",
            "experimental:",
            "  notify: {branches: {only: [main]}}",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    resource_class: large",
            "    circleci_ip_ranges: true",
            "    steps: [checkout]");

        Assert.Equal("large", OnlyJob(result).ResourceClass);
        Assert.Equal([2, 8], result.Warnings.Select(warning => warning.Line));
    }

    [Fact]
    public void The_deploy_step_and_add_ssh_keys_are_planned()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    parallelism: 2",
            "    steps:",
            "      - add_ssh_keys:",
            "          fingerprints:",
            "            - 'b7:35:a6:4e:9b:0d:6d:d4:78:1e:9a:97:2a:66:6b:be'",
            "            - SHA256:NPj4IcXxqQEKGXOghi/QbG2sohoNfvZ30JwCcdSSNM0",
            "      - deploy:",
            "          command: ./deploy.sh"));

        Assert.Equal(["b7:35:a6:4e:9b:0d:6d:d4:78:1e:9a:97:2a:66:6b:be", "SHA256:NPj4IcXxqQEKGXOghi/QbG2sohoNfvZ30JwCcdSSNM0"], job.Steps[0].AddSshKeys!.Fingerprints);
        Assert.True(job.Steps[1].IsDeploy);
        Assert.Equal("./deploy.sh", job.Steps[1].Command);
    }

    [Fact]
    public void A_bad_fingerprint_and_a_deploy_shorthand_are_errors()
    {
        var result = ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps:",
            "      - add_ssh_keys: {fingerprints: [nope]}",
            "      - deploy: ./deploy.sh");

        ErrorAt(result, 6, 39, "'nope' is not an SSH key fingerprint");
        ErrorAt(result, 7, 17, "deploy has no shorthand form");
    }
}
