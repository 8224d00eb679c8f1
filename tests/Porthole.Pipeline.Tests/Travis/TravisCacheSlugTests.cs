using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.Travis;

/// <summary>
/// Travis's cache identity (dialects.md §B12 <c>cache_slug</c>): <c>cache-OS[-DIST][-OSX_IMAGE]-ENVHASH</c> and the
/// language's suffixes, checked against travis-build's own spec values (TB <c>spec/build/script/*_spec.rb</c>).
/// </summary>
public sealed class TravisCacheSlugTests
{
    private const string NoEnvironment = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static string Slug(string script, params (string Key, string Value)[] values) =>
        TravisCacheSlug.For(script, key => values.FirstOrDefault(value => value.Key == key).Value, []);

    [Theory]
    [InlineData("ruby", "--rvm-default--gemfile-Gemfile")]
    [InlineData("objective-c", "--rvm-default--gemfile-Gemfile")]
    [InlineData("node_js", "--node-")]
    [InlineData("python", "--python-3.10")]
    [InlineData("go", "--go-1.11.x")]
    [InlineData("java", "--jdk-default")]
    [InlineData("php", "--jdk-default--php-7.2")]
    [InlineData("scala", "--jdk-default--scala-2.12.8")]
    [InlineData("rust", "--cargo-stable")]
    [InlineData("c", "--compiler-gcc")]
    [InlineData("cpp", "--compiler-gpp")]
    [InlineData("elixir", "--otp-17.4--elixir-1.0.2")]
    [InlineData("generic", "")]
    [InlineData("csharp", "")]
    public void Each_language_adds_its_suffixes_with_its_defaults(string script, string suffix)
    {
        Assert.Equal($"cache-linux-{NoEnvironment}{suffix}", Slug(script));
    }

    [Fact]
    public void The_jobs_own_values_replace_the_defaults_first_of_a_list_and_aliases_count()
    {
        Assert.Equal($"cache-linux-{NoEnvironment}--rvm-2.7--gemfile-Gemfile", Slug("ruby", ("ruby", "2.7")));
        Assert.Equal($"cache-linux-{NoEnvironment}--jdk-openjdk11--rvm-jruby--gemfile-Gemfile", Slug("ruby", ("jdk", "openjdk11"), ("rvm", "jruby")));
        Assert.Equal($"cache-linux-{NoEnvironment}--compiler-clangpp", Slug("cpp", ("compiler", "clang++")));
        Assert.Equal($"cache-linux-{NoEnvironment}--node-12", Slug("node_js", ("node_js", "12")));
    }

    [Fact]
    public void Dist_and_osx_image_are_in_the_slug_only_when_given_as_travis_build_leaves_out_what_is_not()
    {
        Assert.Equal($"cache-linux-xenial-{NoEnvironment}", Slug("generic", ("dist", "xenial")));
        Assert.Equal($"cache-osx-xcode10.1-{NoEnvironment}", Slug("generic", ("os", "osx"), ("osx_image", "xcode10.1")));
    }

    [Fact]
    public void Characters_a_key_cannot_carry_are_percent_encoded()
    {
        // TB's own spec: gemfile foo/Gemfile gives --gemfile-foo%2FGemfile.
        Assert.Equal($"cache-linux-{NoEnvironment}--rvm-default--gemfile-foo%2FGemfile", Slug("ruby", ("gemfile", "foo/Gemfile")));

        var slug = Slug("generic", ("dist", "a/b {{ .Branch }}"));
        Assert.Equal($"cache-linux-a%2Fb%20%7B%7B%20.Branch%20%7D%7D-{NoEnvironment}", slug);
        Assert.True(KeyTemplate.Parse($"travis/{{{{ .Branch }}}}/{slug}").ChecksumPaths.Count == 0);
    }

    [Fact]
    public void The_environment_hash_ignores_order_and_sees_every_name_and_value()
    {
        EnvWord Word(string name, string value) => new(name, value, $"{name}={value}");

        var hash = TravisCacheSlug.EnvironmentHash([Word("A", "1"), Word("B", "2")]);

        Assert.Equal(hash, TravisCacheSlug.EnvironmentHash([Word("B", "2"), Word("A", "1")]));
        Assert.NotEqual(hash, TravisCacheSlug.EnvironmentHash([Word("A", "1"), Word("B", "3")]));
        Assert.NotEqual(hash, TravisCacheSlug.EnvironmentHash([Word("A", "1"), Word("C", "2")]));
        Assert.NotEqual(hash, TravisCacheSlug.EnvironmentHash([Word("A", "1")]));
        Assert.Equal(NoEnvironment, TravisCacheSlug.EnvironmentHash([]));
    }

    [Theory]
    [InlineData("language: ruby", "--rvm-default--gemfile-Gemfile")]
    [InlineData("language: Java", "--jdk-default")]
    [InlineData("language: cpp", "--compiler-gpp")]
    [InlineData("language: haxe", "")]
    [InlineData("language: cobol", "--rvm-default--gemfile-Gemfile")]
    [InlineData("os: linux", "--rvm-default--gemfile-Gemfile")]
    public void A_planned_jobs_slug_comes_from_its_language_script_and_any_unknown_language_is_ruby(string line, string suffix)
    {
        // TB build.rb#by_lang: java* is Java, and a language without a script of its own runs the Ruby one.
        // A planned job always has dist (focal, Travis's default, §B9), so its slug has it as Travis's has.
        var job = OnlyJob(ReadTravis(line, "install: skip", "script: make", "cache: {directories: [x]}"));

        Assert.Equal(
            $"travis/{{{{ .Branch }}}}/cache-linux-focal-{NoEnvironment}{suffix}",
            job.Steps.Single(step => step.Kind == StepKind.SaveCache).SaveCache!.Key);
    }
}
