using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

public sealed class CircleCiJobTests
{
    [Theory]
    [InlineData("2")]
    [InlineData("2.0")]
    [InlineData("2.1")]
    [InlineData("\"2.1\"")]
    public void Versions_2_and_2_1_are_read(string version)
    {
        Assert.True(ReadCircle($"version: {version}", "jobs:", "  build:", "    steps: [checkout]").IsValid);
    }

    [Fact]
    public void A_missing_version_is_an_error_naming_it()
    {
        OnlyError(ReadCircle("jobs:", "  build:", "    steps: [checkout]"), 1, 1, "version is missing");
    }

    [Fact]
    public void An_unknown_version_is_an_error_naming_it()
    {
        OnlyError(ReadCircle("version: 3", "jobs:", "  build:", "    steps: [checkout]"), 1, 10, "version 3 is not supported");
    }

    [Fact]
    public void A_job_without_executor_runs_on_the_shell_executor_with_the_defaults()
    {
        var job = OnlyJob(ReadCircle("version: 2", "jobs:", "  build:", "    steps: [checkout]"));

        Assert.Equal("build", job.Name);
        Assert.Equal(new ExecutorSpec(ExecutorKind.Shell, null), job.Executor);
        Assert.Equal("~/project", job.WorkingDirectory);
        Assert.Equal(1, job.Parallelism);
        Assert.Empty(job.Requires);
        Assert.Empty(job.Environment);
    }

    [Fact]
    public void The_first_docker_image_is_the_executor_and_its_environment_comes_before_the_jobs()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    docker:",
            "      - image: circleci/node:12",
            "        environment:",
            "          FROM_IMAGE: '1'",
            "          SHARED: image",
            "    environment:",
            "      SHARED: job",
            "    steps: [checkout]"));

        Assert.Equal((ExecutorKind.Docker, "circleci/node:12"), (job.Executor.Kind, job.Executor.Image));
        var primary = Assert.Single(job.Executor.Containers);
        Assert.Equivalent(new ContainerSpec("circleci/node:12") { Environment = [new("FROM_IMAGE", "1"), new("SHARED", "image")] }, primary);
        Assert.Equal([new("FROM_IMAGE", "1"), new("SHARED", "image"), new("SHARED", "job")], job.Environment);
    }

    [Fact]
    public void A_docker_image_without_image_is_an_error()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    docker:", "      - environment: {A: b}", "    steps: [checkout]"), 5, 9, "a docker image needs an image: key");
    }

    [Fact]
    public void Machine_true_and_machine_with_an_image_are_machine_executors()
    {
        var plan = Planned(ReadCircle(
            "version: 2",
            "jobs:",
            "  a:",
            "    machine: true",
            "    steps: [checkout]",
            "  b:",
            "    machine:",
            "      image: ubuntu-2004:202101-01",
            "    steps: [checkout]",
            "  c:",
            "    machine:",
            "      enabled: true",
            "      image: ubuntu-1604:201903-01",
            "    steps: [checkout]",
            "workflows:",
            "  w:",
            "    jobs: [a, b, c]"));

        var jobs = plan.Workflows[0].Jobs;
        Assert.Equal(new ExecutorSpec(ExecutorKind.Machine, null), jobs[0].Executor);
        Assert.Equal(new ExecutorSpec(ExecutorKind.Machine, "ubuntu-2004:202101-01"), jobs[1].Executor);
        Assert.Equal(new ExecutorSpec(ExecutorKind.Machine, "ubuntu-1604:201903-01"), jobs[2].Executor);
    }

    [Fact]
    public void Machine_docker_layer_caching_is_refused()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    machine:", "      docker_layer_caching: true", "    steps: [checkout]");

        OnlyError(result, 5, 7, "docker layer caching is not supported", "docker layer caching");
    }

    [Fact]
    public void Machine_docker_layer_caching_false_asks_for_nothing()
    {
        var job = OnlyJob(ReadCircle("version: 2", "jobs:", "  build:", "    machine:", "      image: ubuntu-2204:current", "      docker_layer_caching: false", "    steps: [checkout]"));

        Assert.Equal(new ExecutorSpec(ExecutorKind.Machine, "ubuntu-2204:current"), job.Executor);
    }

    [Theory]
    [InlineData("executor: golang", "executors need version: 2.1")]
    [InlineData("parameters:\n      x: {type: string}", "job parameters need version: 2.1")]
    public void Reuse_keys_of_a_job_in_a_version_2_file_say_they_need_2_1(string yaml, string message)
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", $"    {yaml}", "    steps: [checkout]");

        OnlyError(result, 4, 5, message);
    }

    [Fact]
    public void Resource_class_is_planned_and_a_jobs_own_branches_key_is_ignored_with_a_warning()
    {
        // CR: a job's branches: is deprecated and ignored when workflows are used (the implicit one too).
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    resource_class: large", "    branches:", "      only: [main]", "    steps: [checkout]");

        Assert.Equal("large", OnlyJob(result).ResourceClass);
        Assert.Equal((5, 5), (Assert.Single(result.Warnings).Line, result.Warnings[0].Column));
    }

    [Fact]
    public void An_unknown_job_key_is_an_error()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    stepz: []", "    steps: [checkout]"), 4, 5, "unknown job key 'stepz'");
    }

    [Fact]
    public void Two_executors_in_one_job_are_an_error()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    docker: [{image: a}]", "    machine: true", "    steps: [checkout]");

        OnlyError(result, 5, 5, "job 'build' has two executors, docker and machine");
    }

    [Fact]
    public void Description_is_accepted_because_it_changes_nothing()
    {
        Assert.True(ReadCircle("version: 2", "jobs:", "  build:", "    description: Builds it", "    steps: [checkout]").IsValid);
    }

    [Fact]
    public void Environment_as_a_list_of_name_value_strings()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    environment:",
            "      - PGHOST=localhost",
            "      - URL=postgres://a@b/c?x=y",
            "      - EMPTY=",
            "    steps: [checkout]"));

        Assert.Equal([new("PGHOST", "localhost"), new("URL", "postgres://a@b/c?x=y"), new("EMPTY", "")], job.Environment);
    }

    [Fact]
    public void Environment_values_are_literal_text()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    environment:",
            "      PATH_LIKE: $HOME/bin",
            "      NUMBER: 4",
            "      FLAG: true",
            "      QUOTED: \"'x'\"",
            "      NOTHING:",
            "    steps: [checkout]"));

        Assert.Equal(
            [new("PATH_LIKE", "$HOME/bin"), new("NUMBER", "4"), new("FLAG", "true"), new("QUOTED", "'x'"), new("NOTHING", "")],
            job.Environment);
    }

    [Fact]
    public void Bad_environment_entries_are_errors()
    {
        var result = ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    environment:",
            "      - NOEQUALS",
            "      - 1BAD=x",
            "    steps: [checkout]");

        ErrorAt(result, 5, 9, "the environment entry 'NOEQUALS' is not NAME=value");
        ErrorAt(result, 6, 9, "'1BAD' is not a valid environment variable name");
    }

    [Fact]
    public void An_environment_value_that_is_a_map_is_an_error()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    environment:", "      A: {b: c}", "    steps: [checkout]"), 5, 10, "the value of A must be a string, found a map");
    }

    [Fact]
    public void Parallelism_gives_nodes()
    {
        Assert.Equal(4, OnlyJob(ReadCircle("version: 2", "jobs:", "  build:", "    parallelism: 4", "    steps: [checkout]")).Parallelism);
    }

    [Fact]
    public void A_job_shell_is_the_default_for_its_steps()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    shell: /bin/sh -e",
            "    steps:",
            "      - checkout",
            "      - run: make",
            "      - run: {command: make, shell: /bin/zsh}"));

        Assert.Equal(["/bin/sh -e", "/bin/sh -e", "/bin/zsh"], job.Steps.Select(step => step.Shell));
    }

    [Fact]
    public void A_job_without_steps_is_an_error()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    docker: [{image: a}]"), 3, 3, "job 'build' has no steps");
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    steps: []"), 4, 12, "job 'build' has no steps");
    }

    [Fact]
    public void A_job_that_is_not_a_map_is_an_error()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build: make"), 3, 10, "job 'build' must be a map, found a string");
    }

    [Fact]
    public void Jobs_missing_or_empty_are_errors()
    {
        OnlyError(ReadCircle("version: 2", "workflows: {}"), 1, 1, "jobs is missing");
        ErrorAt(ReadCircle("version: 2", "jobs: {}"), 2, 1, "jobs is empty");
    }
}
