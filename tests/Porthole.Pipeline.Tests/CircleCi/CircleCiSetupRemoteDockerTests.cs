using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

/// <summary><c>setup_remote_docker</c> (§A5): a Docker engine for a docker job's primary container.</summary>
public sealed class CircleCiSetupRemoteDockerTests
{
    private static ConfigResult ReadDockerJob(params string[] steps) =>
        ReadCircle(["version: 2", "jobs:", "  build:", "    docker: [{image: cimg/base:2024.06}]", "    steps:", .. steps]);

    [Fact]
    public void The_shorthand_is_a_step_named_as_circleci_names_it_in_the_jobs_shell()
    {
        var steps = OnlyJob(ReadDockerJob("      - checkout", "      - setup_remote_docker", "      - run: docker build .")).Steps;

        Assert.Equivalent(
            new StepPlan(StepKind.SetupRemoteDocker, "Setup a remote Docker engine", null, "/bin/bash -eo pipefail", [], null, false, StepCondition.OnSuccess, null),
            steps[1]);
        Assert.Equal([StepKind.Checkout, StepKind.SetupRemoteDocker, StepKind.Run], steps.Select(step => step.Kind));
    }

    [Fact]
    public void Version_and_prefer_same_region_are_accepted_and_change_nothing()
    {
        var step = Assert.Single(OnlyJob(ReadDockerJob(
            "      - setup_remote_docker:",
            "          version: 20.10.24",
            "          prefer_same_region: true",
            "          docker_layer_caching: false")).Steps);

        Assert.Equal(StepKind.SetupRemoteDocker, step.Kind);
        Assert.Null(step.Command);
    }

    [Fact]
    public void An_empty_map_is_the_shorthand()
    {
        Assert.Equal(StepKind.SetupRemoteDocker, Assert.Single(OnlyJob(ReadDockerJob("      - setup_remote_docker:")).Steps).Kind);
    }

    [Fact]
    public void Docker_layer_caching_is_refused()
    {
        OnlyError(ReadDockerJob("      - setup_remote_docker:", "          docker_layer_caching: true"), 7, 11, "docker layer caching is not supported", "docker layer caching");
    }

    [Fact]
    public void An_unknown_key_is_an_error_naming_it()
    {
        OnlyError(ReadDockerJob("      - setup_remote_docker: {version: default, name: Engine}"), 6, 49, "unknown setup_remote_docker key 'name'");
    }

    [Fact]
    public void A_value_that_is_not_a_map_is_an_error()
    {
        OnlyError(ReadDockerJob("      - setup_remote_docker: yes"), 6, 30, "setup_remote_docker must be a map, found a string");
    }

    [Fact]
    public void A_non_boolean_prefer_same_region_is_an_error()
    {
        OnlyError(ReadDockerJob("      - setup_remote_docker: {prefer_same_region: often}"), 6, 51, "prefer_same_region must be true or false, found 'often'");
    }

    [Fact]
    public void On_a_machine_job_it_is_an_error_because_the_machine_has_docker_already()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    machine: {image: ubuntu-2204:current}", "    steps:", "      - checkout", "      - setup_remote_docker");

        OnlyError(result, 7, 9, "setup_remote_docker is for the docker executor; a machine job has Docker already, so remove the step");
    }

    [Fact]
    public void On_a_job_without_an_executor_it_is_an_error()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    steps: [setup_remote_docker]");

        OnlyError(result, 4, 13, "setup_remote_docker is for the docker executor; give the job a docker: image to run in, or remove the step");
    }

    [Fact]
    public void On_a_macos_job_it_is_an_error()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    macos: {xcode: 15.4.0}", "    steps: [setup_remote_docker]");

        OnlyError(result, 5, 13, "setup_remote_docker is for the docker executor; a macos job has no Docker engine to set up");
    }

    [Fact]
    public void Under_an_executor_that_is_not_defined_only_the_reference_is_reported()
    {
        // The executor may well be a docker one: no step is judged against a guess.
        var result = ReadCircle("version: 2.1", "jobs:", "  build:", "    executor: go", "    steps: [checkout, setup_remote_docker]");

        OnlyError(result, 4, 15, "executor 'go' is not defined under executors");
    }

    [Fact]
    public void Under_a_docker_executor_setup_remote_docker_is_planned()
    {
        var result = ReadCircle(
            "version: 2.1",
            "executors:",
            "  go: {docker: [{image: golang}]}",
            "jobs:",
            "  build:",
            "    executor: go",
            "    steps: [checkout, setup_remote_docker]");

        Assert.Equal(StepKind.SetupRemoteDocker, OnlyJob(result).Steps[1].Kind);
    }
}
