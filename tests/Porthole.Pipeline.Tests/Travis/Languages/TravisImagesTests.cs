using Porthole.Contracts.Plans;

namespace Porthole.Pipeline.Tests.Travis.Languages;

/// <summary>The default image of each language version and service (issue 13; §B8, §B12), Travis's version words included.</summary>
public sealed class TravisImagesTests
{
    [Theory]
    [InlineData("ruby", "2.4.4", "ruby:2.4.4")]
    [InlineData("ruby", "2.0", "ruby:2.0")]
    [InlineData("ruby", "ruby-2.5.1", "ruby:2.5.1")]
    [InlineData("ruby", "2.0.0-p648", "ruby:2.0.0")]
    [InlineData("ruby", "default", "ruby:latest")]
    [InlineData("ruby", "jruby-9.0.3.0", "jruby:9.0.3.0")]
    [InlineData("ruby", "jruby", "jruby:latest")]
    [InlineData("ruby", "jruby-19mode", "jruby:1.7")]
    [InlineData("node_js", "0.10", "node:0.10")]
    [InlineData("node_js", "0.1", "node:0.10")]
    [InlineData("node_js", "12", "node:12")]
    [InlineData("node_js", "v14.17.0", "node:14.17.0")]
    [InlineData("node_js", "10.x", "node:10")]
    [InlineData("node_js", "node", "node:latest")]
    [InlineData("node_js", "stable", "node:latest")]
    [InlineData("node_js", "lts/*", "node:lts")]
    [InlineData("node_js", "lts/erbium", "node:erbium")]
    [InlineData("node_js", "iojs-v3.3.1", "iojs:3.3.1")]
    [InlineData("python", "3.6", "python:3.6")]
    [InlineData("python", "2.7", "python:2.7")]
    [InlineData("python", "3.8-dev", "python:3.8")]
    [InlineData("python", "pypy", "pypy:2")]
    [InlineData("python", "pypy3", "pypy:3")]
    [InlineData("python", "pypy3.6-7.3.1", "pypy:3.6-7.3.1")]
    [InlineData("go", "1.11.x", "golang:1.11")]
    [InlineData("go", "1.9", "golang:1.9")]
    [InlineData("go", "1.13.5", "golang:1.13.5")]
    [InlineData("go", "go1.12", "golang:1.12")]
    [InlineData("go", "1.x", "golang:latest")]
    [InlineData("go", "stable", "golang:latest")]
    [InlineData("java", "oraclejdk8", "eclipse-temurin:8")]
    [InlineData("java", "openjdk11", "eclipse-temurin:11")]
    [InlineData("java", "openjdk-17", "eclipse-temurin:17")]
    [InlineData("java", "default", "eclipse-temurin:11")]
    [InlineData("java", "semeru11", "ibm-semeru-runtimes:open-11-jdk")]
    [InlineData("scala", "openjdk8", "eclipse-temurin:8")]
    [InlineData("clojure", "openjdk17", "clojure:temurin-17-lein")]
    [InlineData("php", "7.2", "php:7.2-cli")]
    [InlineData("php", "5.6", "php:5.6-cli")]
    [InlineData("php", "7.4snapshot", "php:7.4-cli")]
    [InlineData("rust", "stable", "rust:latest")]
    [InlineData("rust", "nightly", "rust:latest")]
    [InlineData("rust", "beta", "rust:latest")]
    [InlineData("rust", "1.41.0", "rust:1.41.0")]
    [InlineData("c", "gcc", "gcc:latest")]
    [InlineData("c", "clang", "gcc:latest")]
    [InlineData("cpp", "g++", "gcc:latest")]
    [InlineData("cpp", "gcc-9", "gcc:9")]
    [InlineData("cpp", "g++-4.8", "gcc:4.8")]
    [InlineData("csharp", "2.1.502", "mcr.microsoft.com/dotnet/sdk:2.1.502")]
    [InlineData("csharp", "8.0", "mcr.microsoft.com/dotnet/sdk:8.0")]
    [InlineData("mono", "latest", "mono:latest")]
    [InlineData("mono", "5.18.0", "mono:5.18.0")]
    [InlineData("elixir", "1.4", "elixir:1.4")]
    [InlineData("erlang", "21.3", "erlang:21.3")]
    [InlineData("perl", "5.30", "perl:5.30")]
    [InlineData("perl", "5.30-shrplib", "perl:5.30")]
    [InlineData("perl", "5.28-thr", "perl:5.28-threaded")]
    [InlineData("Ruby", "2.6", "ruby:2.6")]
    public void A_language_version_maps_to_its_official_image(string language, string version, string image)
    {
        Assert.Equal(image, TravisImages.ForLanguage(language, version, dist: "bionic", out var reason));
        Assert.Null(reason);
    }

    [Theory]
    [InlineData("ruby", "ruby:latest")]
    [InlineData("node_js", "node:latest")]
    [InlineData("python", "python:latest")]
    [InlineData("php", "php:cli")]
    [InlineData("elixir", "elixir:latest")]
    public void Without_a_version_the_newest_image_is_used(string language, string image)
    {
        Assert.Equal(image, TravisImages.ForLanguage(language, null, null, out _));
    }

    [Theory]
    [InlineData("generic", null, "ubuntu:20.04")]
    [InlineData("generic", "xenial", "ubuntu:16.04")]
    [InlineData("shell", "trusty", "ubuntu:14.04")]
    [InlineData("minimal", "Jammy", "ubuntu:22.04")]
    [InlineData("sh", "noble", "ubuntu:24.04")]
    public void Generic_jobs_run_in_the_ubuntu_of_their_dist(string language, string? dist, string image)
    {
        Assert.Equal(image, TravisImages.ForLanguage(language, null, dist, out _));
    }

    [Fact]
    public void Dist_picks_nothing_for_other_languages()
    {
        Assert.Equal("python:3.8", TravisImages.ForLanguage("python", "3.8", "trusty", out _));
    }

    [Theory]
    [InlineData("ruby", "ruby-head", "nightly build of Ruby")]
    [InlineData("ruby", "rbx-3", "rvm: rbx-3 has no official image")]
    [InlineData("node_js", "nightly", "node_js: nightly has no official image")]
    [InlineData("python", "nightly", "python: nightly has no official image")]
    [InlineData("go", "master", "Go's development tree")]
    [InlineData("java", "openjdk7", "older than any eclipse-temurin image")]
    [InlineData("java", "openjdk-ea", "jdk: openjdk-ea is not a JDK release")]
    [InlineData("php", "nightly", "PHP's development build")]
    [InlineData("php", "hhvm-3.18", "HHVM")]
    [InlineData("csharp", "none", "mono: none and dotnet: none")]
    [InlineData("mono", "nightly", "mono nightly builds have no official image")]
    [InlineData("erlang", "R16B03", "older than any official erlang image")]
    [InlineData("objective-c", "default", "need macOS")]
    [InlineData("generic", null, "dist: sid is not an Ubuntu release")]
    [InlineData("matlab", "latest", "no official image is known for language matlab")]
    [InlineData("node_js", "12;rm -rf /", "node_js: '12;rm -rf /' is not a version an image can be tagged with")]
    public void Versions_no_official_image_serves_give_a_reason_instead(string language, string? version, string reason)
    {
        Assert.Null(TravisImages.ForLanguage(language, version, language == "generic" ? "sid" : null, out var why));
        Assert.NotNull(why);
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, string> NoAddons = [];

    [Theory]
    [InlineData("postgresql", "postgresql", "postgres:13", 5432)]
    [InlineData("postgres", "postgresql", "postgres:13", 5432)]
    [InlineData("mysql", "mysql", "mysql:8.0", 3306)]
    [InlineData("mariadb", "mariadb", "mariadb:10.6", 3306)]
    [InlineData("redis-server", "redis", "redis:7", 6379)]
    [InlineData("Redis", "redis", "redis:7", 6379)]
    [InlineData("memcache", "memcached", "memcached:1", 11211)]
    [InlineData("mongodb", "mongodb", "mongo:4.4", 27017)]
    [InlineData("rabbitmq-server", "rabbitmq", "rabbitmq:3", 5672)]
    [InlineData("elasticsearch", "elasticsearch", "elasticsearch:7.17.10", 9200)]
    public void A_service_runs_as_its_official_image_under_travis_aliases(string written, string name, string image, int port)
    {
        var service = TravisImages.ForService(written, NoAddons, out var reason);

        Assert.Null(reason);
        Assert.NotNull(service);
        Assert.Equal((name, image), (service.Name, service.Image));
        Assert.Contains(port, service.Ports);
    }

    [Fact]
    public void Postgres_trusts_local_connections_and_mysql_lets_root_in_without_a_password()
    {
        Assert.Contains(new EnvironmentVariable("POSTGRES_HOST_AUTH_METHOD", "trust"), TravisImages.ForService("postgresql", NoAddons, out _)!.Environment);
        Assert.Contains(new EnvironmentVariable("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"), TravisImages.ForService("mysql", NoAddons, out _)!.Environment);
        Assert.Contains(new EnvironmentVariable("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "1"), TravisImages.ForService("mariadb", NoAddons, out _)!.Environment);
    }

    [Fact]
    public void Addon_versions_pick_the_postgresql_and_mariadb_images()
    {
        var addons = new Dictionary<string, string> { ["postgresql"] = "9.6", ["mariadb"] = "10.3" };

        Assert.Equal("postgres:9.6", TravisImages.ForService("postgresql", addons, out _)!.Image);
        Assert.Equal("mariadb:10.3", TravisImages.ForService("mariadb", addons, out _)!.Image);

        // addons.mariadb replaces Travis's MySQL with MariaDB, so services: [mysql] gets MariaDB.
        Assert.Equal("mariadb:10.3", TravisImages.ForService("mysql", addons, out _)!.Image);
        Assert.Equal("redis:7", TravisImages.ForService("redis", addons, out _)!.Image);
    }

    [Fact]
    public void An_addon_version_that_cannot_be_a_tag_is_refused_with_a_reason()
    {
        var service = TravisImages.ForService("postgresql", new Dictionary<string, string> { ["postgresql"] = "9.6 && x" }, out var reason);

        Assert.Null(service);
        Assert.Equal("addons.postgresql: '9.6 && x' is not a version an image can be tagged with", reason);
    }

    [Theory]
    [InlineData("xvfb", "xvfb is a display server, not a container")]
    [InlineData("docker", "runner's Docker setting")]
    [InlineData("riak", "unknown service 'riak'")]
    public void Services_that_are_not_containers_or_unknown_give_a_reason(string name, string reason)
    {
        Assert.Null(TravisImages.ForService(name, NoAddons, out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }
}
