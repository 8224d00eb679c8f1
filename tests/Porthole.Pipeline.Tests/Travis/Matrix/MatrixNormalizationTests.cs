using static Porthole.Pipeline.Tests.Travis.Matrix.MatrixRun;

namespace Porthole.Pipeline.Tests.Travis.Matrix;

/// <summary>§B9 "Normalization first" and the support rule: the spellings travis-yml reads as one, the matrix keys in Travis's order, and the keys a language or os does not support.</summary>
public sealed class MatrixNormalizationTests
{
    [Fact]
    public void Matrix_is_another_name_for_jobs()
    {
        string[] Config(string section) => ["language: ruby", "rvm: [\"2.6\", \"2.7\"]", $"{section}:", "  include:", "    - rvm: \"3.0\""];

        var expected = new[] { "rvm=2.6 | - | test", "rvm=2.7 | - | test", "rvm=3.0 | - | test" };
        Assert.Equal(expected, Rows(Valid(Config("matrix")), "rvm"));
        Assert.Equal(expected, Rows(Valid(Config("jobs")), "rvm"));
    }

    [Fact]
    public void Jobs_as_a_list_is_jobs_include()
    {
        var build = Valid(["language: ruby", "rvm: [\"2.6\", \"2.7\"]", "jobs:", "  - rvm: \"3.0\"", "    name: three"]);

        Assert.Equal(["rvm=2.6 | - | test", "rvm=2.7 | - | test", "rvm=3.0 | - | test"], Rows(build, "rvm"));
        Assert.Equal([null, null, "three"], build.Jobs.Select(job => job.Name));
    }

    [Theory]
    [InlineData("env: A=1", new[] { "A=1" })]
    [InlineData("env: [A=1, \"B=2 C=3\"]", new[] { "A=1", "B=2 C=3" })]
    [InlineData("env: {jobs: [A=1, B=2]}", new[] { "A=1", "B=2" })]
    [InlineData("env: {matrix: [A=1, B=2]}", new[] { "A=1", "B=2" })]
    [InlineData("env: {global: G=1, matrix: [A=1, B=2]}", new[] { "G=1, A=1", "G=1, B=2" })]
    [InlineData("env: {FOO: foo, BAR: bar}", new[] { "{FOO: foo, BAR: bar}" })]
    [InlineData("env: {global: [G=1]}", new[] { "G=1" })]
    public void Every_form_of_env_is_global_entries_and_one_job_per_env_jobs_entry(string env, string[] jobs)
    {
        // §B9: a string or list is env.jobs, env.matrix is env.jobs, a map of variables is one env.jobs entry.
        var build = Valid(["language: shell", env]);

        Assert.Equal(jobs.Select(entries => $" | {entries} | test"), Rows(build));
    }

    [Fact]
    public void Allowed_failures_and_fast_failure_are_other_names()
    {
        var build = Valid(["language: ruby", "rvm: [\"2.6\", \"2.7\"]", "jobs:", "  fast_failure: true", "  allowed_failures:", "    - rvm: \"2.6\""]);

        Assert.Equal(["rvm=2.7 | - | test", "rvm=2.6 | - | test | allow_failure"], Rows(build, "rvm"));
        Assert.True(build.FastFinish);
    }

    [Fact]
    public void Key_aliases_become_travis_names_and_a_scalar_is_a_list_of_one()
    {
        var ruby = Valid(["language: ruby", "ruby: [\"2.6\", \"2.7\"]", "gemfiles: Gemfile"]);
        Assert.Equal(["rvm=2.6 gemfile=Gemfile ruby=- | - | test", "rvm=2.7 gemfile=Gemfile ruby=- | - | test"], Rows(ruby, "rvm", "gemfile", "ruby"));

        var node = Valid(["language: JavaScript", "node: [\"10\", \"12\"]"]);
        Assert.Equal(["language=node_js node_js=10 | - | test", "language=node_js node_js=12 | - | test"], Rows(node, "language", "node_js"));
    }

    [Fact]
    public void The_matrix_keys_expand_in_travis_order_whatever_order_they_are_written_in()
    {
        // §B9 step 1: os, then rvm, then env (env is always last); the first key is the outermost loop. The root has no
        // language: ruby (its os list is not only osx); dist defaults to focal, which only linux supports.
        var build = Valid(["env: [A=1, A=2]", "rvm: [\"2.6\", \"2.7\"]", "os: [linux, osx]"]);

        Assert.Equal(
            [
                "os=linux rvm=2.6 dist=focal language=ruby | A=1 | test",
                "os=linux rvm=2.6 dist=focal language=ruby | A=2 | test",
                "os=linux rvm=2.7 dist=focal language=ruby | A=1 | test",
                "os=linux rvm=2.7 dist=focal language=ruby | A=2 | test",
                "os=osx rvm=2.6 dist=- language=ruby | A=1 | test",
                "os=osx rvm=2.6 dist=- language=ruby | A=2 | test",
                "os=osx rvm=2.7 dist=- language=ruby | A=1 | test",
                "os=osx rvm=2.7 dist=- language=ruby | A=2 | test",
            ],
            Rows(build, "os", "rvm", "dist", "language"));
    }

    [Fact]
    public void A_matrix_key_the_language_does_not_support_is_dropped()
    {
        // TY schema: python is only for language python; on a ruby build it neither expands nor reaches the job.
        var build = Valid(["language: ruby", "rvm: \"2.7\"", "python: [\"3.8\", \"3.9\"]", "bundler_args: --jobs 3"]);

        Assert.Equal(["rvm=2.7 python=- bundler_args=--jobs 3 | - | test"], Rows(build, "rvm", "python", "bundler_args"));
    }

    [Fact]
    public void Each_job_keeps_the_keys_its_own_language_supports()
    {
        // The lone php job is dropped (§B9 step 2); each include inherits php's first value (step 5), which only its
        // own language keeps (step 8), and the root's dist (step 4).
        var build = Valid(
        [
            "dist: xenial", "language: php", "php: [\"5.6\"]",
            "jobs:", "  include:",
            "    - language: python", "      python: \"3.8\"",
            "    - language: node_js", "      node_js: \"12\"",
            "    - php: \"7.4\"",
        ]);

        Assert.Equal(
            [
                "language=python python=3.8 node_js=- php=- dist=xenial | - | test",
                "language=node_js python=- node_js=12 php=- dist=xenial | - | test",
                "language=php python=- node_js=- php=7.4 dist=xenial | - | test",
            ],
            Rows(build, "language", "python", "node_js", "php", "dist"));
    }

    [Fact]
    public void Arch_is_for_linux_only_and_the_osx_jobs_it_would_split_are_one()
    {
        // Expanded: linux×amd64, linux×arm64, osx×amd64, osx×arm64; osx loses arch, so its two jobs are duplicates (step 8).
        var build = Valid(["os: [linux, osx]", "arch: [amd64, arm64]"]);

        Assert.Equal(["os=linux arch=amd64 | - | test", "os=linux arch=arm64 | - | test", "os=osx arch=- | - | test"], Rows(build, "os", "arch"));
    }

    [Fact]
    public void Osx_image_is_for_osx_only()
    {
        var build = Valid(["os: [linux, osx]", "osx_image: [xcode11, xcode12]"]);

        Assert.Equal(
            ["os=linux osx_image=- dist=focal | - | test", "os=osx osx_image=xcode11 dist=- | - | test", "os=osx osx_image=xcode12 dist=- | - | test"],
            Rows(build, "os", "osx_image", "dist"));
    }

    [Theory]
    [InlineData("script: make", "language=ruby os=linux dist=focal")]
    [InlineData("os: osx", "language=objective-c os=osx dist=-")]
    [InlineData("language: objective-c", "language=objective-c os=osx dist=-")]
    [InlineData("os: [osx, linux]", "language=ruby os=osx dist=-")]
    [InlineData("os: Mac", "language=objective-c os=osx dist=-")]
    [InlineData("language: minimal\ndist: Trusty", "language=shell os=linux dist=trusty")]
    public void Language_os_and_dist_get_travis_defaults_and_spellings(string config, string job)
    {
        // TY schema/def/root.rb: ruby unless every os is osx; linux unless the language is objective-c; focal on linux.
        var build = Valid(config.Split('\n'));

        Assert.Equal($"{job} | - | test", Rows(build, "language", "os", "dist")[0]);
    }

    [Fact]
    public void Compiler_is_for_c_and_cpp_only()
    {
        var build = Valid(["language: shell", "compiler: [gcc, clang]", "jobs:", "  include:", "    - env: ONE=one"]);

        // compiler is not a key of shell, so the expansion is the lone os job, dropped for the include (TY matrix_spec).
        Assert.Equal(["language=shell compiler=- | ONE=one | test"], Rows(build, "language", "compiler"));
    }
}
