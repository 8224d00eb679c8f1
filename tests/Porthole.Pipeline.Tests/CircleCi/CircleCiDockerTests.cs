using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

/// <summary>The <c>docker:</c> list: the primary container and its service containers, with CircleCI's per-image keys.</summary>
public sealed class CircleCiDockerTests
{
    private static ConfigResult ReadImages(params string[] images) =>
        ReadCircle(["version: 2", "jobs:", "  build:", "    docker:", .. images, "    steps: [checkout]"]);

    private static ExecutorSpec Executor(params string[] images) => OnlyJob(ReadImages(images)).Executor;

    [Fact]
    public void Every_image_is_a_container_in_order_with_the_primary_first()
    {
        var executor = Executor(
            "      - image: ruby:2.5",
            "      - image: postgres:10",
            "        name: db",
            "        environment:",
            "          POSTGRES_USER: test",
            "      - image: redis");

        Assert.Equal((ExecutorKind.Docker, "ruby:2.5"), (executor.Kind, executor.Image));
        Assert.Equal(["ruby:2.5", "postgres:10", "redis"], executor.Containers.Select(container => container.Image));
        Assert.Equivalent(
            new ContainerSpec("postgres:10") { Name = "db", Environment = [new("POSTGRES_USER", "test")] },
            executor.Containers[1]);
    }

    [Fact]
    public void Every_per_image_key_is_read_into_its_container()
    {
        var executor = Executor(
            "      - image: cimg/ruby:3.2",
            "        user: circleci",
            "        auth:",
            "          username: mydockerhub-user",
            "          password: $DOCKERHUB_PASSWORD",
            "      - image: mongo:2.6.8",
            "        name: mongo.local",
            "        entrypoint: [docker-entrypoint.sh]",
            "        command: [mongod, --smallfiles]");

        Assert.Equivalent(
            new ContainerSpec("cimg/ruby:3.2") { User = "circleci", Auth = new RegistryAuth("mydockerhub-user", "$DOCKERHUB_PASSWORD") },
            executor.Containers[0]);
        Assert.Equivalent(
            new ContainerSpec("mongo:2.6.8") { Name = "mongo.local", Entrypoint = ["docker-entrypoint.sh"], Command = ["mongod", "--smallfiles"] },
            executor.Containers[1]);
    }

    [Fact]
    public void A_string_entrypoint_or_command_is_split_into_words_as_compose_does_without_expanding_anything()
    {
        var container = Assert.Single(Executor(
            "      - image: mysql:8",
            "        entrypoint: /usr/local/bin/docker-entrypoint.sh",
            "        command: mysqld --sql_mode=\"\" --init-file='/tmp/my init.sql' --dir=$HOME a\\ b").Containers);

        Assert.Equal(["/usr/local/bin/docker-entrypoint.sh"], container.Entrypoint);
        Assert.Equal(["mysqld", "--sql_mode=", "--init-file=/tmp/my init.sql", "--dir=$HOME", "a b"], container.Command);
    }

    [Fact]
    public void Without_entrypoint_or_command_a_container_keeps_the_images_own()
    {
        var container = Assert.Single(Executor("      - image: ruby").Containers);

        Assert.Null(container.Entrypoint);
        Assert.Null(container.Command);
        Assert.Null(container.Name);
        Assert.Null(container.User);
        Assert.Null(container.Auth);
    }

    [Fact]
    public void An_unclosed_quote_in_a_command_string_is_an_error()
    {
        OnlyError(ReadImages("      - image: ruby", "        command: echo 'hi"), 6, 18, "command cannot be split into words: a ' quote is not closed");
    }

    [Fact]
    public void An_entrypoint_that_is_a_map_is_an_error()
    {
        OnlyError(ReadImages("      - image: ruby", "        entrypoint: {a: b}"), 6, 21, "entrypoint must be a string or a list of strings, found a map");
    }

    [Fact]
    public void An_empty_docker_list_is_an_error()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    docker: []", "    steps: [checkout]"), 4, 13, "docker needs at least one image");
    }

    [Fact]
    public void A_docker_image_without_image_is_an_error_for_a_service_container_too()
    {
        OnlyError(ReadImages("      - image: ruby", "      - name: db"), 6, 9, "a docker image needs an image: key");
    }

    [Fact]
    public void An_empty_image_is_an_error()
    {
        OnlyError(ReadImages("      - image: \"\""), 5, 16, "image is empty");
    }

    [Fact]
    public void A_docker_image_that_is_not_a_map_is_an_error()
    {
        OnlyError(ReadImages("      - image: ruby", "      - postgres:10"), 6, 9, "a docker image must be a map, found a string");
    }

    [Theory]
    [InlineData("my db")]
    [InlineData("-db")]
    [InlineData("db-")]
    [InlineData("db..local")]
    [InlineData("db:5432")]
    public void A_name_that_is_not_a_host_name_is_an_error(string name)
    {
        OnlyError(ReadImages("      - image: ruby", "      - image: postgres", $"        name: \"{name}\""), 7, 15, $"'{name}' is not a host name");
    }

    [Fact]
    public void Two_images_with_the_same_name_are_an_error()
    {
        var result = ReadImages("      - image: ruby", "      - image: postgres:10", "        name: db", "      - image: postgres:11", "        name: DB");

        OnlyError(result, 8, 9, "two docker images are named 'DB'");
    }

    [Fact]
    public void Auth_without_a_password_is_an_error()
    {
        OnlyError(ReadImages("      - image: private/ruby", "        auth: {username: me}"), 6, 15, "auth needs a password: key");
    }

    [Fact]
    public void Auth_with_an_unknown_key_is_an_error_naming_it()
    {
        var result = ReadImages("      - image: private/ruby", "        auth:", "          username: me", "          password: $PASS", "          token: x");

        OnlyError(result, 9, 11, "unknown auth key 'token'; auth takes username and password");
    }

    [Fact]
    public void An_unknown_image_key_is_an_error_naming_it_and_a_docker_compose_key_is_ignored_with_a_warning()
    {
        var unknown = ReadImages("      - image: ruby", "      - image: kafka", "        portz: [9092]");
        var compose = ReadImages("      - image: ruby", "      - image: kafka", "        ports: [9092]");

        OnlyError(unknown, 7, 9, "unknown docker image key 'portz'; an image takes image, name, entrypoint, command, user, environment, auth and aws_auth");
        Assert.True(compose.IsValid);
        Assert.Equal((7, 9), (Assert.Single(compose.Warnings).Line, compose.Warnings[0].Column));
    }

    [Fact]
    public void Aws_auth_is_refused_by_name()
    {
        var result = ReadImages("      - image: 1234.dkr.ecr.us-east-1.amazonaws.com/app", "        aws_auth: {oidc_role_arn: arn}");

        OnlyError(result, 6, 9, "docker aws_auth is not supported", "docker aws_auth");
    }

    [Fact]
    public void Service_container_environment_stays_with_its_container_and_out_of_the_steps()
    {
        var job = OnlyJob(ReadImages(
            "      - image: ruby",
            "        environment: [RAILS_ENV=test]",
            "      - image: postgres",
            "        environment: {POSTGRES_PASSWORD: pw}"));

        Assert.Equal([new("RAILS_ENV", "test")], job.Environment);
        Assert.Equal([new("RAILS_ENV", "test")], job.Executor.Containers[0].Environment);
        Assert.Equal([new("POSTGRES_PASSWORD", "pw")], job.Executor.Containers[1].Environment);
    }

    [Fact]
    public void A_registry_login_never_shows_its_password_as_text()
    {
        var auth = Assert.Single(Executor("      - image: private/ruby", "        auth: {username: me, password: hunter2}").Containers).Auth;

        Assert.NotNull(auth);
        Assert.DoesNotContain("hunter2", auth.ToString(), StringComparison.Ordinal);
    }
}
