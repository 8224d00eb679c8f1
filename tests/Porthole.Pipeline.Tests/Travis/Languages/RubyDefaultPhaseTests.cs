using Porthole.Pipeline.Travis.Languages;

namespace Porthole.Pipeline.Tests.Travis.Languages;

/// <summary>Ruby's setup, default install and script run in bash against each gemfile layout (§B8; TB script/ruby.rb, shared/bundler.rb).</summary>
public sealed class RubyDefaultPhaseTests
{
    private static readonly TravisLanguage Ruby = TravisLanguageCatalog.Find("ruby", out _);

    private static FakeToolCheckout Checkout() => new FakeToolCheckout().Tool("ruby", "2.7.0").Tool("bundle", "2.1.4").Tool("rake").Tool("gem");

    private static void Setup(FakeToolCheckout checkout, TravisJobSettings settings) =>
        Assert.Equal(0, checkout.Run("before_install", TravisDefaultPhases.Setup(Ruby, settings)).ExitCode);

    [Fact]
    public void A_locked_gemfile_installs_for_deployment_and_the_script_is_bundle_exec_rake()
    {
        using var checkout = Checkout().File("Gemfile").File("Gemfile.lock");
        var settings = TravisJobSettingsTests.Read("ruby");

        Setup(checkout, settings);
        Assert.Equal(0, checkout.Run("install", TravisDefaultPhases.Install(Ruby, settings)).ExitCode);
        Assert.Equal(0, checkout.Run("script", TravisDefaultPhases.Script(Ruby, settings)).ExitCode);

        Assert.Equal(["bundle install --jobs=3 --retry=3 --deployment", "bundle exec rake"], checkout.Logged);
    }

    [Fact]
    public void An_unlocked_gemfile_installs_without_deployment()
    {
        using var checkout = Checkout().File("Gemfile");
        var settings = TravisJobSettingsTests.Read("ruby");

        checkout.Run("install", TravisDefaultPhases.Install(Ruby, settings));

        Assert.Equal(["bundle install --jobs=3 --retry=3"], checkout.Logged);
    }

    [Fact]
    public void Without_a_gemfile_travis_says_so_and_the_script_is_rake()
    {
        using var checkout = Checkout();
        var settings = TravisJobSettingsTests.Read("ruby");

        var (exitCode, output) = checkout.Run("install", TravisDefaultPhases.Install(Ruby, settings));
        checkout.Run("script", TravisDefaultPhases.Script(Ruby, settings));

        Assert.Equal(0, exitCode);
        Assert.Contains("No Gemfile found, skipping bundle install", output, StringComparison.Ordinal);
        Assert.Equal(["rake"], checkout.Logged);
    }

    [Fact]
    public void Cache_bundler_adds_the_bundle_path()
    {
        using var checkout = Checkout().File("Gemfile").File("Gemfile.lock");

        checkout.Run("install", TravisDefaultPhases.Install(Ruby, TravisJobSettingsTests.Read("ruby", "cache: bundler")));

        Assert.Equal(["bundle install --jobs=3 --retry=3 --deployment --path=vendor/bundle"], checkout.Logged);
    }

    [Fact]
    public void Bundler_args_replace_the_default_arguments_and_deployment()
    {
        using var checkout = Checkout().File("Gemfile").File("Gemfile.lock");

        checkout.Run("install", TravisDefaultPhases.Install(Ruby, TravisJobSettingsTests.Read("ruby", "bundler_args: --without development", "cache: bundler")));

        Assert.Equal(["bundle install --without development --path=vendor/bundle"], checkout.Logged);
    }

    [Fact]
    public void A_gemfile_key_points_bundle_gemfile_at_it_for_every_later_phase()
    {
        using var checkout = Checkout().File("gemfiles/rails5.gemfile").File("gemfiles/rails5.gemfile.lock");
        var settings = TravisJobSettingsTests.Read("ruby", "gemfile: gemfiles/rails5.gemfile");

        Setup(checkout, settings);
        checkout.Run("install", TravisDefaultPhases.Install(Ruby, settings));
        var (_, output) = checkout.Run("script", ["echo \"gemfile=$BUNDLE_GEMFILE ruby=$TRAVIS_RUBY_VERSION\""]);

        Assert.Contains("bundle install --jobs=3 --retry=3 --deployment", checkout.Logged);
        Assert.Contains($"gemfile={checkout.Checkout}/gemfiles/rails5.gemfile ruby=default", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gemfile_key_naming_a_missing_file_stops_the_setup()
    {
        using var checkout = Checkout();
        var settings = TravisJobSettingsTests.Read("ruby", "gemfile: gemfiles/missing.gemfile");

        var (exitCode, output) = checkout.Run("before_install", TravisDefaultPhases.Setup(Ruby, settings));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("gemfiles/missing.gemfile not found, cannot continue", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Setup_installs_bundler_before_2_for_ruby_before_2_5_when_the_image_has_none_and_exports_a_given_jdk()
    {
        using var checkout = new FakeToolCheckout().CustomTool("ruby", "case $1 in -e) echo 2.4.10 ;; *) echo 'ruby 2.4.10p364' ;; esac").Tool("gem");
        var settings = TravisJobSettingsTests.Read("ruby", "rvm: 2.4", "jdk: openjdk8");

        Setup(checkout, settings);
        var (_, output) = checkout.Run("script", ["echo \"ruby=$TRAVIS_RUBY_VERSION jdk=$TRAVIS_JDK_VERSION\""]);

        Assert.Contains("gem install bundler -v < 2", checkout.Logged);
        Assert.Contains("ruby=2.4 jdk=openjdk8", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Setup_leaves_an_image_bundler_alone()
    {
        using var checkout = Checkout().File("Gemfile");

        Setup(checkout, TravisJobSettingsTests.Read("ruby", "rvm: 2.7"));

        Assert.DoesNotContain(checkout.Logged, line => line.StartsWith("gem install", StringComparison.Ordinal));
    }
}
