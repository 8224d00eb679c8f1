using Porthole.Pipeline.Travis.Languages;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Tests.Travis.Languages;

/// <summary>A job's settings for its language's setup and default phases (§B8), read from its merged config.</summary>
public sealed class TravisJobSettingsTests
{
    internal static TravisJobSettings Read(string language, string? slug, out ErrorList errors, params string[] lines)
    {
        errors = new ErrorList(".travis.yml");
        var job = (MapNode)YamlLoader.Load(string.Join("\n", ["language: " + language, .. lines]) + "\n", errors)!;
        return TravisJobSettings.From(job, TravisLanguageCatalog.Find(language, out _), slug, errors);
    }

    internal static TravisJobSettings Read(string language, params string[] lines)
    {
        var settings = Read(language, "octo/cat", out var errors, lines);
        Assert.Equal(0, errors.Count);
        return settings;
    }

    [Fact]
    public void Without_a_version_the_language_default_is_used_and_not_marked_given()
    {
        var settings = Read("node_js");

        Assert.Equal("0.10", settings.Version);
        Assert.False(settings.VersionGiven);
    }

    [Theory]
    [InlineData("rvm: 2.5.1", "2.5.1")]
    [InlineData("ruby: 2.6", "2.6")]
    [InlineData("rbenv: [2.7, 2.6]", "2.7")]
    public void The_version_key_is_read_under_its_aliases_and_a_list_gives_its_first_value(string line, string version)
    {
        var settings = Read("ruby", line);

        Assert.Equal(version, settings.Version);
        Assert.True(settings.VersionGiven);
    }

    [Theory]
    [InlineData("perl", "perl: 5.1", "5.10")]
    [InlineData("perl", "perl: 5.3", "5.30")]
    [InlineData("node_js", "node_js: 0.1", "0.10")]
    [InlineData("go", "go: go1.12", "1.12")]
    [InlineData("go", "go: go1", "go1")]
    [InlineData("python", "python: \"3.10\"", "3.10")]
    public void Travis_rewrites_some_versions_as_travis_build_does(string language, string line, string version)
    {
        Assert.Equal(version, Read(language, line).Version);
    }

    [Fact]
    public void A_version_that_is_a_map_is_an_error_naming_the_key()
    {
        var settings = Read("python", null, out var errors, "python: {v: 3}");

        Assert.Equal(1, errors.Count);
        Assert.Contains("python must be a string or a list of strings, found a map", errors.ToList()[0].Message, StringComparison.Ordinal);
        Assert.Equal("3.10", settings.Version);
    }

    [Fact]
    public void A_setting_that_must_be_text_but_is_a_list_is_an_error()
    {
        Read("ruby", null, out var errors, "bundler_args: [--a, --b]");

        Assert.Contains(errors.ToList(), error => error.Message.Contains("bundler_args must be a string, found a list", StringComparison.Ordinal));
    }

    [Fact]
    public void Ruby_reads_its_gemfile_and_bundler_args()
    {
        var settings = Read("ruby", "gemfiles: [gemfiles/rails5.gemfile]", "bundler_args: --without development");

        Assert.Equal("gemfiles/rails5.gemfile", settings.Gemfile);
        Assert.True(settings.GemfileGiven);
        Assert.Equal("--without development", settings.BundlerArgs);
        Assert.Null(settings.Jdk);
        Assert.False(Read("ruby").GemfileGiven);
        Assert.Equal("Gemfile", Read("ruby").Gemfile);
    }

    [Theory]
    [InlineData("cache: bundler", "bundler", true)]
    [InlineData("cache: [pip, bundler]", "bundler", true)]
    [InlineData("cache: {bundler: true, directories: [x]}", "bundler", true)]
    [InlineData("cache: {directories: [x]}", "bundler", false)]
    [InlineData("cache: {directories: [x]}", "npm", true)]
    [InlineData("cache: {npm: false}", "npm", false)]
    [InlineData("cache: false", "npm", false)]
    [InlineData("cache: true", "npm", true)]
    public void Cache_kinds_are_on_as_the_job_says_else_npm_only(string line, string kind, bool on)
    {
        Assert.Equal(on, Read("node_js", line).Caches(kind));
    }

    [Fact]
    public void Go_import_path_is_the_jobs_own_else_github_and_the_slug()
    {
        Assert.Equal("example.org/x/y", Read("go", "go_import_path: example.org/x/y").GoImportPath);
        Assert.Equal("github.com/octo/cat", Read("go").GoImportPath);
        Assert.Null(Read("go", null, out _).GoImportPath);
        Assert.Equal("-v", Read("go").GobuildArgs);
        Assert.Equal("-x", Read("go", "gobuild_args: -x").GobuildArgs);
    }

    [Fact]
    public void The_compiler_defaults_to_gcc_for_c_and_gpp_for_cpp()
    {
        Assert.Equal("gcc", Read("c").Compiler);
        Assert.Equal("g++", Read("cpp").Compiler);
        Assert.Equal("clang", Read("cpp", "compiler: [clang, gcc]").Compiler);
        Assert.Equal("clang", Read("cpp", "compiler: [clang, gcc]").Version);
    }

    [Theory]
    [InlineData("java", new string[0], "java", "default")]
    [InlineData("java", new[] { "jdk: openjdk11" }, "java", "openjdk11")]
    [InlineData("scala", new[] { "scala: 2.11.7", "jdk: oraclejdk8" }, "scala", "oraclejdk8")]
    [InlineData("csharp", new string[0], "mono", "latest")]
    [InlineData("csharp", new[] { "dotnet: 2.1.502", "mono: none" }, "csharp", "2.1.502")]
    [InlineData("csharp", new[] { "mono: none" }, "csharp", "none")]
    [InlineData("node_js", new[] { "node_js: [\"8\", \"10\"]" }, "node_js", "8")]
    [InlineData("php", new[] { "php: 7.1" }, "php", "7.1")]
    public void The_image_is_picked_by_the_jdk_for_jvm_languages_and_by_dotnet_or_mono_for_csharp(string language, string[] lines, string imageLanguage, string imageVersion)
    {
        var settings = Read(language, lines);

        Assert.Equal((imageLanguage, imageVersion), (settings.ImageLanguage, settings.ImageVersion));
    }

    [Fact]
    public void Scala_keeps_its_scala_version_and_sbt_args()
    {
        var settings = Read("scala", "scala: [2.11.7]", "sbt_args: -J-Xmx2G");

        Assert.Equal("2.11.7", settings.Version);
        Assert.Equal("default", settings.Jdk);
        Assert.Equal("-J-Xmx2G", settings.SbtArgs);
    }

    [Fact]
    public void Python_reads_system_site_packages_under_either_spelling()
    {
        Assert.True(Read("python", "virtualenv: {system_site_packages: true}").SystemSitePackages);
        Assert.True(Read("python", "virtual_env: {system_site_packages: yes}").SystemSitePackages);
        Assert.False(Read("python").SystemSitePackages);
    }

    [Fact]
    public void Elixir_reads_its_otp_release_with_travis_default()
    {
        Assert.Equal("17.4", Read("elixir").OtpRelease);
        Assert.Equal("20.3", Read("elixir", "elixir: 1.6", "otp_release: 20.3").OtpRelease);
        Assert.Equal("1.6", Read("elixir", "elixir: 1.6").Version);
    }

    [Fact]
    public void Os_and_dist_are_read()
    {
        var settings = Read("generic", "os: [linux]", "dist: xenial");

        Assert.Equal(("linux", "xenial"), (settings.Os, settings.Dist));
    }
}
