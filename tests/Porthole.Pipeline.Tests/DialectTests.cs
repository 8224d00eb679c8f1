using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests;

public sealed class DialectTests
{
    private const string CircleText = "version: 2\njobs:\n  build:\n    steps: [checkout]\n";
    private const string TravisText = "language: shell\nscript: make\n";

    [Fact]
    public void Known_paths_are_searched_circleci_first()
    {
        Assert.Equal([".circleci/config.yml", ".travis.yml"], ConfigReader.KnownPaths);
    }

    [Theory]
    [InlineData(".circleci/config.yml", CircleText, ConfigDialect.CircleCi)]
    [InlineData("repo\\.circleci\\config.yml", CircleText, ConfigDialect.CircleCi)]
    [InlineData(".travis.yml", TravisText, ConfigDialect.Travis)]
    [InlineData("ci/my-travis.yaml", TravisText, ConfigDialect.Travis)]
    [InlineData("config.yml", CircleText, ConfigDialect.CircleCi)]
    [InlineData("config.yml", TravisText, ConfigDialect.Travis)]
    [InlineData("config.yml", "workflows: {}\njobs: {}\n", ConfigDialect.CircleCi)]
    public void The_dialect_comes_from_the_path_then_from_the_keys(string path, string text, ConfigDialect expected)
    {
        var result = ConfigReader.Read(path, text);

        if (result.IsValid)
        {
            Assert.Equal(expected, result.Plan!.Dialect);
            Assert.Equal(path, result.Plan.ConfigPath);
        }
        else
        {
            // An invalid config still shows which reader took it by its messages.
            Assert.Equal(expected == ConfigDialect.CircleCi, result.Errors.Any(e => e.Message.Contains("jobs is empty", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void The_dialect_argument_overrides_the_path()
    {
        var result = ConfigReader.Read(".circleci/config.yml", TravisText, ConfigDialect.Travis);

        Assert.Equal(ConfigDialect.Travis, Planned(result).Dialect);
    }

    [Fact]
    public void A_config_of_neither_dialect_is_an_error()
    {
        OnlyError(ConfigReader.Read("config.yml", "hello: world\n"), 1, 1, "this is neither a CircleCI config");
    }

    [Fact]
    public void Errors_carry_the_path_they_were_read_from()
    {
        var result = ConfigReader.Read("some/dir/.travis.yml", "language: shell\nscript: x\nimport: shared.yml\n");

        Assert.Equal("some/dir/.travis.yml", Assert.Single(result.Errors).File);
    }
}
