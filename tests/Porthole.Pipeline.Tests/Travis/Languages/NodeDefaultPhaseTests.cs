using Porthole.Pipeline.Travis.Languages;

namespace Porthole.Pipeline.Tests.Travis.Languages;

/// <summary>
/// node_js's default install and script run in bash against checkouts of each layout (§B8; TB script/node_js.rb): what the
/// fake npm and yarn were asked to do is what Travis would have run.
/// </summary>
public sealed class NodeDefaultPhaseTests
{
    private static readonly TravisLanguage Node = TravisLanguageCatalog.Find("node_js", out _);

    private static FakeToolCheckout Checkout(string node = "v12.22.0", string npm = "6.14.4", string? yarn = "1.22.0")
    {
        var checkout = new FakeToolCheckout().Tool("node", node).Tool("npm", npm).Tool("make");
        return yarn is null ? checkout : checkout.Tool("yarn", yarn);
    }

    private static (int ExitCode, string Output) Install(FakeToolCheckout checkout, params string[] lines) =>
        checkout.Run("install", TravisDefaultPhases.Install(Node, TravisJobSettingsTests.Read("node_js", lines)));

    private static (int ExitCode, string Output) Script(FakeToolCheckout checkout) =>
        checkout.Run("script", TravisDefaultPhases.Script(Node, TravisJobSettingsTests.Read("node_js")));

    [Fact]
    public void Yarn_lock_installs_with_frozen_lockfile_and_tests_with_yarn()
    {
        using var checkout = Checkout().File("package.json", "{}").File("yarn.lock");

        Assert.Equal(0, Install(checkout).ExitCode);
        Assert.Equal(0, Script(checkout).ExitCode);
        Assert.Equal(["yarn --frozen-lockfile", "yarn test"], checkout.Logged);
    }

    [Fact]
    public void A_yarn_older_than_0_19_installs_without_frozen_lockfile()
    {
        using var checkout = Checkout(yarn: "0.18.1").File("package.json", "{}").File("yarn.lock");

        Install(checkout);

        Assert.Equal(["yarn"], checkout.Logged);
    }

    [Fact]
    public void Yarn_lock_on_a_node_older_than_4_falls_back_to_npm()
    {
        using var checkout = Checkout(node: "v0.12.18", npm: "2.15.11").File("package.json", "{}").File("yarn.lock");

        Install(checkout);
        Script(checkout);

        Assert.Equal(["npm install", "npm test"], checkout.Logged);
    }

    [Theory]
    [InlineData("package-lock.json", "6.14.4", "npm ci")]
    [InlineData("npm-shrinkwrap.json", "5.8.0", "npm ci")]
    [InlineData("package-lock.json", "5.7.1", "npm install")]
    [InlineData("none", "6.14.4", "npm install")]
    public void Npm_ci_needs_npm_5_8_and_a_lockfile(string lockfile, string npm, string expected)
    {
        using var checkout = Checkout(npm: npm).File("package.json", "{}");
        if (lockfile != "none")
        {
            checkout.File(lockfile, "{}");
        }

        Assert.Equal(0, Install(checkout).ExitCode);
        Script(checkout);

        Assert.Equal([expected, "npm test"], checkout.Logged);
    }

    [Fact]
    public void Npm_args_go_after_the_npm_command()
    {
        using var checkout = Checkout().File("package.json", "{}").File("package-lock.json", "{}");

        Install(checkout, "npm_args: --no-optional --ignore-scripts");

        Assert.Equal(["npm ci --no-optional --ignore-scripts"], checkout.Logged);
    }

    [Fact]
    public void Without_package_json_nothing_is_installed_and_the_script_is_make_test()
    {
        using var checkout = Checkout();

        Assert.Equal(0, Install(checkout).ExitCode);
        Script(checkout);

        Assert.Equal(["make test"], checkout.Logged);
    }

    [Fact]
    public void A_failing_npm_ci_is_retried_three_times_and_fails_the_install()
    {
        using var checkout = new FakeToolCheckout().Tool("node", "v12.22.0").Tool("npm", "6.14.4", exitCode: 1).File("package.json", "{}").File("package-lock.json", "{}");

        var (exitCode, output) = Install(checkout);

        Assert.Equal(1, exitCode);
        Assert.Equal(["npm ci", "npm ci", "npm ci"], checkout.Logged);
        Assert.Contains("failed 3 times", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Setup_puts_node_modules_bin_on_path_installs_missing_yarn_and_exports_the_given_version()
    {
        using var checkout = Checkout(yarn: null).File("package.json", "{}").File("yarn.lock");
        var settings = TravisJobSettingsTests.Read("node_js", "node_js: \"12\"");

        Assert.Equal(0, checkout.Run("before_install", TravisDefaultPhases.Setup(Node, settings)).ExitCode);
        var (_, output) = checkout.Run("script", ["echo \"version=$TRAVIS_NODE_VERSION path=$PATH\""]);

        Assert.Contains("npm install -g yarn", checkout.Logged);
        Assert.Contains("version=12 path=./node_modules/.bin:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_node_js_the_version_comes_from_nvmrc_and_the_job_is_told_its_image_decides()
    {
        using var checkout = Checkout().File(".nvmrc", "14.17.0\n");

        checkout.Run("before_install", TravisDefaultPhases.Setup(Node, TravisJobSettingsTests.Read("node_js")));
        var (_, output) = checkout.Run("script", ["echo \"version=$TRAVIS_NODE_VERSION\""]);

        Assert.Contains("version=14.17.0", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_node_js_or_nvmrc_the_version_is_0_10_and_without_package_json_setup_touches_no_yarn()
    {
        using var checkout = Checkout();

        var (setupExit, _) = checkout.Run("before_install", TravisDefaultPhases.Setup(Node, TravisJobSettingsTests.Read("node_js")));
        var (_, output) = checkout.Run("script", ["echo \"version=$TRAVIS_NODE_VERSION\""]);

        Assert.Equal(0, setupExit);
        Assert.Equal(["npm config set progress false"], checkout.Logged);
        Assert.Contains("version=0.10", output, StringComparison.Ordinal);
    }
}
