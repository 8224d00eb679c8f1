using Porthole.Pipeline.Travis;
using Porthole.Pipeline.Travis.Languages;

namespace Porthole.Pipeline.Tests.Travis.Languages;

/// <summary>Finding a job's language as Travis finds it (§B8; TB build.rb#by_lang, TY schema/def/lang/*.rb).</summary>
public sealed class TravisLanguageCatalogTests
{
    [Theory]
    [InlineData("javascript", "node_js")]
    [InlineData("js", "node_js")]
    [InlineData("node", "node_js")]
    [InlineData("golang", "go")]
    [InlineData("jvm", "java")]
    [InlineData("c++", "cpp")]
    [InlineData("cplusplus", "cpp")]
    [InlineData("objective_c", "objective-c")]
    [InlineData("swift", "objective-c")]
    [InlineData("shell", "generic")]
    [InlineData("minimal", "generic")]
    [InlineData("bash", "generic")]
    [InlineData("sh", "generic")]
    public void Aliases_name_the_script_travis_build_runs(string written, string script)
    {
        var language = TravisLanguageCatalog.Find(written, out var fellBack);

        Assert.Equal(script, language.Name);
        Assert.False(fellBack);
    }

    [Theory]
    [InlineData("java")]
    [InlineData("java8")]
    [InlineData("javafx")]
    [InlineData("JAVA11")]
    public void Anything_starting_with_java_is_java(string written)
    {
        Assert.Equal("java", TravisLanguageCatalog.Find(written, out var fellBack).Name);
        Assert.False(fellBack);
    }

    [Fact]
    public void Javascript_is_node_not_java_though_it_starts_with_java()
    {
        Assert.Equal("node_js", TravisLanguageCatalog.Find("JavaScript", out _).Name);
    }

    [Theory]
    [InlineData("Ruby", "ruby")]
    [InlineData("NODE_JS", "node_js")]
    [InlineData("  Python ", "python")]
    [InlineData("Objective-C", "objective-c")]
    [InlineData("CSharp", "csharp")]
    [InlineData("Minimal", "generic")]
    public void Names_are_found_whatever_their_case(string written, string script)
    {
        Assert.Equal(script, TravisLanguageCatalog.Find(written, out var fellBack).Name);
        Assert.False(fellBack);
    }

    [Theory]
    [InlineData("cobol")]
    [InlineData("hack")]
    [InlineData("nodejs")]
    [InlineData("")]
    public void A_language_without_a_script_runs_as_ruby_and_says_it_fell_back(string written)
    {
        var language = TravisLanguageCatalog.Find(written, out var fellBack);

        Assert.Same(TravisLanguageCatalog.Ruby, language);
        Assert.True(fellBack);
    }

    [Theory]
    [InlineData("ruby", "rvm", "default", "TRAVIS_RUBY_VERSION")]
    [InlineData("node_js", "node_js", "0.10", "TRAVIS_NODE_VERSION")]
    [InlineData("python", "python", "3.10", "TRAVIS_PYTHON_VERSION")]
    [InlineData("go", "go", "1.11.x", "TRAVIS_GO_VERSION")]
    [InlineData("java", "jdk", "default", "TRAVIS_JDK_VERSION")]
    [InlineData("php", "php", "7.2", "TRAVIS_PHP_VERSION")]
    [InlineData("rust", "rust", "stable", "TRAVIS_RUST_VERSION")]
    [InlineData("c", "compiler", "gcc", "TRAVIS_COMPILER")]
    [InlineData("cpp", "compiler", "g++", "TRAVIS_COMPILER")]
    [InlineData("elixir", "elixir", "1.0.2", "TRAVIS_ELIXIR_VERSION")]
    [InlineData("erlang", "otp_release", "R14B04", "TRAVIS_OTP_RELEASE")]
    [InlineData("perl", "perl", "5.14", "TRAVIS_PERL_VERSION")]
    [InlineData("scala", "scala", "2.12.8", "TRAVIS_SCALA_VERSION")]
    public void Each_language_has_the_version_key_default_and_variable_of_section_B8(string name, string key, string version, string variable)
    {
        var language = TravisLanguageCatalog.Find(name, out _);

        Assert.Equal((key, version, variable), (language.VersionKey, language.DefaultVersion, language.VersionVariable));
        Assert.Contains(key, language.VersionKeys);
    }

    [Fact]
    public void The_matrix_keys_are_those_of_section_B8()
    {
        Assert.Equal(["rvm", "gemfile", "jdk"], TravisLanguageCatalog.Find("ruby", out _).VersionKeys);
        Assert.Equal(["mono", "dotnet", "solution"], TravisLanguageCatalog.Find("csharp", out _).VersionKeys);
        Assert.Equal(["elixir", "otp_release"], TravisLanguageCatalog.Find("elixir", out _).VersionKeys);
        Assert.Equal(["scala", "jdk"], TravisLanguageCatalog.Find("scala", out _).VersionKeys);
        Assert.Empty(TravisLanguageCatalog.Find("shell", out _).VersionKeys);
        Assert.Null(TravisLanguageCatalog.Find("generic", out _).VersionKey);
    }

    [Fact]
    public void Keys_have_the_spellings_travis_yml_accepts()
    {
        Assert.Equal(["rvm", "ruby", "rbenv"], TravisLanguageCatalog.Spellings("rvm"));
        Assert.Equal(["gemfile", "gemfiles"], TravisLanguageCatalog.Spellings("gemfile"));
        Assert.Equal(["node_js", "node"], TravisLanguageCatalog.Spellings("node_js"));
        Assert.Equal(["python"], TravisLanguageCatalog.Spellings("python"));
    }

    [Fact]
    public void Every_language_of_the_catalog_is_found_by_its_own_name()
    {
        foreach (var language in TravisLanguageCatalog.All)
        {
            Assert.Same(language, TravisLanguageCatalog.Find(language.Name, out var fellBack));
            Assert.False(fellBack);
        }
    }

    [Theory]
    [InlineData("Shell", "generic", false)]
    [InlineData("cpp", "cpp", false)]
    [InlineData("C", "c", false)]
    [InlineData("node", "node_js", true)]
    [InlineData("cobol", "ruby", true)]
    [InlineData("php", "php", true)]
    public void The_old_front_answers_as_before(string written, string script, bool hasDefaultInstall)
    {
        Assert.Equal(script, TravisLanguages.Script(written));
        Assert.Equal(hasDefaultInstall, TravisLanguages.HasDefaultInstall(written));
        Assert.Equal("ruby", TravisLanguages.Default);
    }
}
