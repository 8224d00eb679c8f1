using Porthole.Pipeline.Travis.Languages;
using static Porthole.Pipeline.Tests.Travis.Languages.LanguageJob;

namespace Porthole.Pipeline.Tests.Travis.Languages;

/// <summary>Go's setup, default install and script (§B8; TB script/go.rb and its bash functions), run in bash against checkouts of each layout, with fake tools recording what they were asked to do.</summary>
public sealed class GoDefaultPhaseTests
{
    [Fact]
    public void Go_gets_its_dependencies_with_t_added_and_tests_every_package()
    {
        var (checkout, language, settings) = Job("go", "gobuild_args: -race");
        using (checkout)
        {
            checkout.Tool("go");

            Install(checkout, language, settings);
            Script(checkout, language, settings);

            Assert.Equal(["go get -race -t ./...", "go test -race ./..."], checkout.Logged);
        }
    }

    [Fact]
    public void Go_does_not_add_t_twice_and_defaults_to_v()
    {
        var (checkout, language, _) = Job("go");
        using (checkout)
        {
            checkout.Tool("go");

            Install(checkout, language, TravisJobSettingsTests.Read("go", "gobuild_args: -t -x"));
            Install(checkout, language, TravisJobSettingsTests.Read("go"));

            Assert.Equal(["go get -t -x ./...", "go get -v -t ./..."], checkout.Logged);
        }
    }

    [Fact]
    public void Go_with_a_makefile_installs_nothing_and_runs_make()
    {
        var (checkout, language, settings) = Job("go");
        using (checkout)
        {
            checkout.Tool("go").Tool("make").File("GNUmakefile", "all:\n");

            var (_, output) = Install(checkout, language, settings);
            Script(checkout, language, settings);

            Assert.Contains("\nMakefile detected\n", output, StringComparison.Ordinal);
            Assert.Equal(["make"], checkout.Logged);
        }
    }

    [Fact]
    public void Go_restores_godeps_and_stops_the_install_when_that_fails()
    {
        var (checkout, language, settings) = Job("go");
        using (checkout)
        {
            checkout.Tool("go").Tool("godep", exitCode: 1).File("Godeps/Godeps.json", "{}");

            var (exitCode, _) = Install(checkout, language, settings);

            // godep restore is retried (travis_retry), and go get never runs (install stops at the first failure, §B0).
            Assert.Equal(1, exitCode);
            Assert.Equal(["godep restore", "godep restore", "godep restore"], checkout.Logged);
        }
    }

    [Fact]
    public void Go_setup_links_the_checkout_at_its_import_path_and_resolves_an_x_version_from_the_images_go()
    {
        var (checkout, language, settings) = Job("go", "go: 1.11.x", "go_import_path: example.org/team/tool");
        using (checkout)
        {
            checkout.Tool("go", "go version go1.11.13 linux/amd64");

            Assert.Equal(0, checkout.Run("before_install", TravisDefaultPhases.Setup(language, settings)).ExitCode);
            var (_, output) = checkout.Run("script", ["echo \"version=$TRAVIS_GO_VERSION path=$TRAVIS_GO_IMPORT_PATH gopath=$GOPATH module=$GO111MODULE\""]);

            Assert.Contains($"version=1.11.13 path=example.org/team/tool gopath={checkout.Home}/gopath module=auto", output, StringComparison.Ordinal);
            var link = new DirectoryInfo(Path.Combine(checkout.Home, "gopath/src/example.org/team/tool"));
            Assert.Equal(checkout.Checkout, link.LinkTarget);
        }
    }
}
