using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis;
using Porthole.Pipeline.Yaml;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.Travis;

/// <summary>
/// <c>services:</c> (dialects.md §B12) as service containers after the job's own: each service's official image with
/// the environment that lets the job in as on Travis, named so the job reaches it by name as well as on localhost, and
/// marked with its <see cref="ImageChoice"/> for the runner's image table.
/// </summary>
public sealed class TravisServicesTests
{
    private static ExecutorSpec ExecutorOf(params string[] lines) => OnlyJob(ReadTravis(["language: python", "script: pytest", .. lines])).Executor;

    [Fact]
    public void A_list_of_services_is_a_container_each_after_the_jobs_own_which_moves_into_its_languages_image()
    {
        var executor = ExecutorOf("services:", "  - redis", "  - postgresql");

        Assert.Equal(ExecutorKind.Docker, executor.Kind);
        Assert.Equal(3, executor.Containers.Count);
        Assert.Equal("python:latest", executor.Image);
        Assert.Equal(new ImageChoice(ImageChoiceKind.Language, "python", null), executor.Containers[0].Choice);

        var redis = executor.Containers[1];
        Assert.Equal("redis:7", redis.Image);
        Assert.Equal("redis", redis.Name);
        Assert.Equal(new ImageChoice(ImageChoiceKind.Service, "redis", null), redis.Choice);
        Assert.Empty(redis.Environment);

        var postgres = executor.Containers[2];
        Assert.Equal("postgres:13", postgres.Image);
        Assert.Equal("postgresql", postgres.Name);
        Assert.Equal(new ImageChoice(ImageChoiceKind.Service, "postgresql", null), postgres.Choice);
        // Travis's PostgreSQL lets the job in as postgres without a password.
        Assert.Contains(new EnvironmentVariable("POSTGRES_HOST_AUTH_METHOD", "trust"), postgres.Environment);
    }

    [Fact]
    public void A_single_name_is_one_service_and_aliases_and_repeats_are_the_same_service_once()
    {
        Assert.Equal(["redis"], ExecutorOf("services: redis").Containers.Skip(1).Select(c => c.Name));
        Assert.Equal(
            ["redis", "postgresql", "memcached"],
            ExecutorOf("services: [redis-server, postgres, redis, memcache, postgresql, memcached]").Containers.Skip(1).Select(c => c.Name));
    }

    [Fact]
    public void A_version_keeps_the_jobs_image_and_choice_and_the_services_come_after()
    {
        var executor = ExecutorOf("python: \"3.8\"", "services: mysql");

        Assert.Equal("python:3.8", executor.Image);
        Assert.Equal(new ImageChoice(ImageChoiceKind.Language, "python", "3.8"), executor.Containers[0].Choice);
        Assert.Equal(["python:3.8", "mysql:8.0"], executor.Containers.Select(c => c.Image));
        Assert.Contains(new EnvironmentVariable("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"), executor.Containers[1].Environment);
    }

    [Fact]
    public void Services_given_at_the_root_reach_every_job_and_an_include_entry_can_give_its_own()
    {
        var plan = Planned(ReadTravis(
            "language: python",
            "script: pytest",
            "services: redis",
            "jobs:",
            "  include:",
            "    - name: with mongo",
            "      services: mongodb",
            "    - name: inherits"));

        var jobs = Assert.Single(plan.Workflows).Jobs;
        Assert.Equal(["mongo:4.4"], jobs.Single(j => j.Name == "with mongo").Executor.Containers.Skip(1).Select(c => c.Image));
        Assert.Equal(["redis:7"], jobs.Single(j => j.Name == "inherits").Executor.Containers.Skip(1).Select(c => c.Image));
    }

    [Fact]
    public void Xvfb_and_docker_are_warnings_saying_what_to_do_instead_and_add_no_container()
    {
        var result = ReadTravis("language: python", "script: pytest", "services:", "  - xvfb", "  - docker");

        var job = OnlyJob(result);
        // Nothing else needs a container, so the job stays on the runner's system.
        Assert.Equal(new ExecutorSpec(ExecutorKind.Shell, null), job.Executor);
        Assert.Collection(
            result.Warnings,
            xvfb =>
            {
                Assert.Equal((4, 5), (xvfb.Line, xvfb.Column));
                Assert.Contains("xvfb adds no container", xvfb.Message, StringComparison.Ordinal);
                Assert.Contains("xvfb-run", xvfb.Message, StringComparison.Ordinal);
            },
            docker =>
            {
                Assert.Equal((5, 5), (docker.Line, docker.Column));
                Assert.Contains("Docker engine", docker.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Xvfb_beside_a_real_service_adds_only_the_real_one()
    {
        Assert.Equal(["redis"], ExecutorOf("services: [xvfb, redis]").Containers.Skip(1).Select(c => c.Name));
    }

    [Fact]
    public void An_unknown_service_is_an_error_at_its_name_listing_the_known_ones()
    {
        var error = OnlyError(ReadTravis("language: python", "script: pytest", "services:", "  - redis", "  - oracle"), 5, 5, "unknown service 'oracle'");

        Assert.Contains("postgresql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_map_or_a_map_in_the_list_is_an_error_where_it_is_written()
    {
        OnlyError(ReadTravis("language: python", "script: pytest", "services:", "  redis: 7"), 4, 3, "services must be a service's name or a list of them (services: [redis, postgresql]), found a map");
        OnlyError(ReadTravis("language: python", "script: pytest", "services:", "  - redis", "  - name: postgresql"), 5, 5, "each item of services must be a service's name");
        OnlyError(
            ReadTravis("language: python", "script: pytest", "jobs:", "  include:", "    - services: [[redis]]"),
            5, 18, "each item of services must be a service's name (redis, postgresql, …), found a list");
    }

    [Fact]
    public void An_empty_services_key_adds_nothing()
    {
        Assert.Equal(new ExecutorSpec(ExecutorKind.Shell, null), ExecutorOf("services:"));
        Assert.Equal(new ExecutorSpec(ExecutorKind.Shell, null), ExecutorOf("services: []"));
    }

    [Fact]
    public void Addon_versions_pick_the_services_image_and_are_its_choices_version()
    {
        var addons = new TravisAddonSettings(new Dictionary<string, string> { ["postgresql"] = "9.6", ["mariadb"] = "10.3" }, null);

        var containers = TravisServices.Read(Parse("[postgresql, mysql, redis]"), addons);

        Assert.Equal(["postgres:9.6", "mariadb:10.3", "redis:7"], containers.Select(c => c.Image));
        Assert.Equal(
            [new ImageChoice(ImageChoiceKind.Service, "postgresql", "9.6"), new ImageChoice(ImageChoiceKind.Service, "mariadb", "10.3"), new ImageChoice(ImageChoiceKind.Service, "redis", null)],
            containers.Select(c => c.Choice));
        Assert.Equal(["postgresql", "mariadb", "redis"], containers.Select(c => c.Name));
        Assert.Equal("postgresql 9.6", containers[0].Choice!.ToString());
    }

    /// <summary>TB addons/postgresql.rb and mariadb.rb: a version under addons starts that database even when services does not name it.</summary>
    [Fact]
    public void An_addon_version_alone_starts_its_database_and_a_listed_service_keeps_its_place()
    {
        var alone = ExecutorOf("addons:", "  postgresql: \"9.6\"");
        var listed = ExecutorOf("services: [redis, mysql]", "addons: {mariadb: \"10.3\", postgresql: \"9.2\"}");

        Assert.Equal(["python:latest", "postgres:9.6"], alone.Containers.Select(c => c.Image));
        Assert.Equal(new ImageChoice(ImageChoiceKind.Service, "postgresql", "9.6"), alone.Containers[1].Choice);
        Assert.Equal(["python:latest", "redis:7", "mariadb:10.3", "postgres:9.2"], listed.Containers.Select(c => c.Image));
    }

    [Fact]
    public void An_addon_version_no_image_can_be_tagged_with_is_planned_without_an_image_and_says_why()
    {
        var addons = new TravisAddonSettings(new Dictionary<string, string> { ["postgresql"] = "9.6 beta" }, null);

        var postgres = Assert.Single(TravisServices.Read(Parse("postgresql"), addons));

        Assert.Equal("", postgres.Image);
        Assert.Equal("postgresql", postgres.Name);
        Assert.Equal(new ImageChoice(ImageChoiceKind.Service, "postgresql", "9.6 beta"), postgres.Choice! with { Unavailable = null });
        Assert.Contains("addons.postgresql: '9.6 beta' is not a version", postgres.Choice!.Unavailable, StringComparison.Ordinal);
    }

    [Fact]
    public void Services_with_a_language_version_that_has_no_image_plan_with_the_reason_for_the_runner()
    {
        var executor = OnlyJob(ReadTravis("language: ruby", "rvm: ruby-head", "script: rake", "services: redis")).Executor;

        Assert.Equal("", executor.Containers[0].Image);
        Assert.Equal("ruby ruby-head", executor.Containers[0].Choice!.ToString());
        Assert.Contains("nightly build of Ruby", executor.Containers[0].Choice!.Unavailable, StringComparison.Ordinal);
        Assert.Equal("redis:7", executor.Containers[1].Image);
    }

    private static Node Parse(string yaml)
    {
        var root = (MapNode)YamlLoader.Load("services: " + yaml + "\n", new ErrorList(".travis.yml"))!;
        return root.Get("services")!;
    }
}
