using Porthole.Pipeline.Travis.Languages;
using static Porthole.Pipeline.Tests.Travis.Languages.LanguageJob;

namespace Porthole.Pipeline.Tests.Travis.Languages;

/// <summary>The default install and script of Perl, PHP, Erlang, Elixir, C, C++, C#, Rust and generic (§B8), run in bash against checkouts of each layout, with fake tools recording what they were asked to do.</summary>
public sealed class DefaultPhaseTests
{
    [Theory]
    [InlineData("Build.PL", "perl Build.PL|./Build|./Build test")]
    [InlineData("Makefile.PL", "perl Makefile.PL|make test")]
    [InlineData("none", "make test")]
    public void Perl_installs_with_cpanm_and_builds_by_the_file_found(string file, string script)
    {
        var (checkout, language, settings) = Job("perl");
        using (checkout)
        {
            checkout.Tool("cpanm").Tool("perl").Tool("make").Executable("Build");
            if (file != "none")
            {
                checkout.File(file);
            }

            Install(checkout, language, settings);
            Script(checkout, language, settings);

            Assert.Equal(["cpanm --quiet --installdeps --notest .", .. script.Split('|')], checkout.Logged);
        }
    }

    [Fact]
    public void Php_installs_nothing_and_runs_the_vendor_phpunit()
    {
        var (checkout, language, settings) = Job("php");
        using (checkout)
        {
            checkout.Tool("phpunit").Executable("vendor/bin/phpunit");

            Assert.Empty(TravisDefaultPhases.Install(language, settings));
            Script(checkout, language, settings);

            Assert.Equal(["./vendor/bin/phpunit"], checkout.Logged);
        }
    }

    [Fact]
    public void Php_runs_the_phpunit_of_composer_bin_dir_first()
    {
        var (checkout, language, settings) = Job("php");
        using (checkout)
        {
            checkout.Tool("phpunit").Executable("vendor/bin/phpunit").Executable("tools/phpunit")
                .File("composer.json", "{\"config\": {\"bin-dir\": \"tools\"}}");

            Script(checkout, language, settings);

            Assert.Equal(["./tools/phpunit"], checkout.Logged);
        }
    }

    [Fact]
    public void Php_without_a_project_phpunit_runs_the_one_on_path()
    {
        var (checkout, language, settings) = Job("php");
        using (checkout)
        {
            checkout.Tool("phpunit");

            Script(checkout, language, settings);

            Assert.Equal(["phpunit"], checkout.Logged);
        }
    }

    [Fact]
    public void Erlang_with_a_local_rebar_gets_deps_and_runs_eunit_with_it()
    {
        var (checkout, language, settings) = Job("erlang");
        using (checkout)
        {
            checkout.File("rebar.config").Executable("rebar");

            Install(checkout, language, settings);
            Script(checkout, language, settings);

            Assert.Equal(["./rebar get-deps", "./rebar compile", "./rebar skip_deps=true eunit"], checkout.Logged);
        }
    }

    [Fact]
    public void Erlang_with_rebar3_installs_nothing_and_runs_rebar3_eunit_and_without_rebar_config_make_test()
    {
        var (checkout, language, settings) = Job("erlang");
        using (checkout)
        {
            checkout.Tool("rebar3").Tool("make").File("Rebar.config");

            Install(checkout, language, settings);
            Script(checkout, language, settings);
            File.Delete(Path.Combine(checkout.Checkout, "Rebar.config"));
            Script(checkout, language, settings);

            Assert.Equal(["rebar3 eunit", "make test"], checkout.Logged);
        }
    }

    [Fact]
    public void Elixir_installs_rebar_from_1_3_then_hex_and_deps_stopping_at_the_first_failure()
    {
        var (checkout, language, settings) = Job("elixir", "elixir: 1.6");
        using (checkout)
        {
            checkout.Tool("mix");
            Install(checkout, language, settings);
            Script(checkout, language, settings);
            Assert.Equal(["mix local.rebar --force", "mix local.hex --force", "mix deps.get", "mix test"], checkout.Logged);
        }

        var (failing, _, old) = Job("elixir", "elixir: 1.2.6");
        using (failing)
        {
            failing.Tool("mix", exitCode: 1);

            Assert.Equal(1, Install(failing, language, old).ExitCode);
            Assert.Equal(["mix local.hex --force"], failing.Logged);
        }
    }

    [Fact]
    public void Elixir_setup_says_when_the_otp_release_does_not_suit_the_elixir_version()
    {
        var (checkout, language, settings) = Job("elixir", "elixir: 1.6", "otp_release: 18.3");
        using (checkout)
        {
            var (_, output) = checkout.Run("before_install", TravisDefaultPhases.Setup(language, settings));
            var (_, exported) = checkout.Run("script", ["echo \"otp=$TRAVIS_OTP_RELEASE elixir=$TRAVIS_ELIXIR_VERSION\""]);

            Assert.Contains("Erlang/OTP Release 18.3 is not supported by Elixir 1.6. Using OTP Release 19.0.", output, StringComparison.Ordinal);
            Assert.Contains("otp=18.3 elixir=1.6", exported, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void C_and_cpp_install_nothing_and_configure_make_and_test()
    {
        foreach (var name in new[] { "c", "cpp" })
        {
            var (checkout, language, settings) = Job(name);
            using (checkout)
            {
                checkout.Executable("configure").Tool("make");

                Assert.Empty(TravisDefaultPhases.Install(language, settings));
                Assert.Equal(0, Script(checkout, language, settings).ExitCode);
                Assert.Equal(["./configure", "make", "make test"], checkout.Logged);
            }
        }
    }

    [Fact]
    public void Cpp_setup_exports_clang_for_a_clang_compiler_and_keeps_a_cc_the_job_set()
    {
        var (checkout, language, settings) = Job("cpp", "compiler: clang-10");
        using (checkout)
        {
            checkout.Tool("clang").Tool("clang++").Tool("clang-10").Environment("CC", "my-cc");

            Assert.Equal(0, checkout.Run("before_install", TravisDefaultPhases.Setup(language, settings)).ExitCode);
            var (_, output) = checkout.Run("script", ["echo \"compiler=$TRAVIS_COMPILER cxx=$CXX cc=$CC build=$CXX_FOR_BUILD\""]);

            Assert.Contains("compiler=clang-10 cxx=clang++ cc=my-cc build=clang++", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void C_setup_exports_the_compiler_as_cc_and_puts_ccache_first_when_cached()
    {
        var (checkout, language, settings) = Job("c", "compiler: gcc-9", "cache: ccache");
        using (checkout)
        {
            checkout.Tool("gcc-9");

            checkout.Run("before_install", TravisDefaultPhases.Setup(language, settings));
            var (_, output) = checkout.Run("script", ["echo \"compiler=$TRAVIS_COMPILER cc=$CC path=$PATH\""]);

            Assert.Contains("compiler=gcc-9 cc=gcc-9 path=/usr/lib/ccache:", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Csharp_restores_and_builds_the_solution_with_msbuild_from_mono_5_and_xbuild_before()
    {
        var (checkout, language, settings) = Job("csharp", "solution: My App.sln");
        using (checkout)
        {
            checkout.Tool("nuget").Tool("msbuild").Tool("xbuild");

            Install(checkout, language, settings);
            Script(checkout, language, settings);
            Script(checkout, language, TravisJobSettingsTests.Read("csharp", "solution: My App.sln", "mono: 4.8.1"));

            Assert.Equal(["nuget restore My App.sln", "msbuild /p:Configuration=Release My App.sln", "xbuild /p:Configuration=Release My App.sln"], checkout.Logged);
        }
    }

    [Fact]
    public void Csharp_without_a_solution_fails_as_travis_does()
    {
        var (checkout, language, settings) = Job("csharp", "dotnet: 2.1.502", "mono: none");
        using (checkout)
        {
            Assert.Empty(TravisDefaultPhases.Install(language, settings));
            var (exitCode, output) = Script(checkout, language, settings);

            Assert.Equal(1, exitCode);
            Assert.Contains("\nNo solution or script defined, exiting\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Csharp_setup_refuses_a_dotnet_version_travis_refuses()
    {
        var (checkout, language, settings) = Job("csharp", "dotnet: latest");
        using (checkout)
        {
            var (exitCode, output) = checkout.Run("before_install", TravisDefaultPhases.Setup(language, settings));

            Assert.NotEqual(0, exitCode);
            Assert.Contains("\"latest\" is either an invalid version of \"dotnet\"", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rust_builds_and_tests_with_cargo_running_both_even_when_the_build_fails()
    {
        var (checkout, language, settings) = Job("rust");
        using (checkout)
        {
            checkout.Tool("cargo", exitCode: 101);

            var (exitCode, _) = Script(checkout, language, settings);

            Assert.Equal(101, exitCode);
            Assert.Equal(["cargo build --verbose", "cargo test --verbose"], checkout.Logged);
        }
    }

    [Fact]
    public void Rust_setup_adds_a_nightly_toolchain_with_the_images_rustup()
    {
        var (checkout, language, settings) = Job("rust", "rust: nightly");
        using (checkout)
        {
            checkout.Tool("cargo").Tool("rustc", "rustc 1.83.0 (90b35a623 2024-11-26)").Tool("rustup");

            Assert.Equal(0, checkout.Run("before_install", TravisDefaultPhases.Setup(language, settings)).ExitCode);

            Assert.Equal(["rustup toolchain install nightly --profile=minimal", "rustup default nightly"], checkout.Logged);
        }
    }

    [Fact]
    public void Rust_setup_leaves_a_stable_image_alone()
    {
        var (checkout, language, settings) = Job("rust");
        using (checkout)
        {
            checkout.Tool("cargo").Tool("rustc", "rustc 1.83.0").Tool("rustup");

            checkout.Run("before_install", TravisDefaultPhases.Setup(language, settings));

            Assert.Empty(checkout.Logged);
        }
    }

    [Theory]
    [InlineData("generic")]
    [InlineData("shell")]
    [InlineData("minimal")]
    public void Generic_has_no_default_install_or_script(string name)
    {
        var (checkout, language, settings) = Job(name);
        using (checkout)
        {
            Assert.Empty(TravisDefaultPhases.Install(language, settings));
            Assert.Empty(TravisDefaultPhases.Script(language, settings));
            Assert.Equal(0, checkout.Run("before_install", TravisDefaultPhases.Setup(language, settings)).ExitCode);
        }
    }

    [Fact]
    public void A_language_whose_defaults_porthole_does_not_know_fails_the_phase_saying_so()
    {
        var (checkout, language, settings) = Job("haskell");
        using (checkout)
        {
            var (exitCode, output) = Install(checkout, language, settings);

            Assert.False(language.HasKnownDefaults);
            Assert.Equal(1, exitCode);
            Assert.Contains("Porthole does not know travis-build's default install for language: haskell; give install: in .travis.yml", output, StringComparison.Ordinal);
        }
    }
}
