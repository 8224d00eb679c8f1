using static Porthole.Pipeline.Tests.Travis.Matrix.MatrixRun;

namespace Porthole.Pipeline.Tests.Travis.Matrix;

/// <summary>§B9 steps 1 to 6: expand, include, the lone-job rule, the default job, shared keys, first values, env.</summary>
public sealed class MatrixExpansionTests
{
    [Fact]
    public void Step_1_is_the_cartesian_product_with_the_first_key_outermost()
    {
        // TD build-matrix.md: 2 × 2 × 2 = 8 jobs; rvm comes before gemfile in Travis's order, env is last.
        var build = Valid(["rvm: [\"2.5\", \"2.2\"]", "gemfile: [g32, g30]", "env: [ISOLATED=true, ISOLATED=false]"]);

        Assert.Equal(
            [
                "rvm=2.5 gemfile=g32 | ISOLATED=true | test",
                "rvm=2.5 gemfile=g32 | ISOLATED=false | test",
                "rvm=2.5 gemfile=g30 | ISOLATED=true | test",
                "rvm=2.5 gemfile=g30 | ISOLATED=false | test",
                "rvm=2.2 gemfile=g32 | ISOLATED=true | test",
                "rvm=2.2 gemfile=g32 | ISOLATED=false | test",
                "rvm=2.2 gemfile=g30 | ISOLATED=true | test",
                "rvm=2.2 gemfile=g30 | ISOLATED=false | test",
            ],
            Rows(build, "rvm", "gemfile"));
    }

    [Fact]
    public void Steps_2_4_5_included_jobs_come_last_and_inherit_shared_keys_and_each_axis_first_value()
    {
        // TD "Explicitly included jobs inherit the first value in the array": the include without python gets 3.8.
        var build = Valid(
        [
            "language: python",
            "python: [\"3.8\", \"3.7\", \"2.7\"]",
            "script: ./test.py",
            "jobs:",
            "  include:",
            "    - python: \"3.7\"",
            "      env: EXTRA_TESTS=true",
            "    - env: EXTRA=1",
            "      script: ./other.py",
        ]);

        Assert.Equal(
            [
                "python=3.8 script=./test.py | - | test",
                "python=3.7 script=./test.py | - | test",
                "python=2.7 script=./test.py | - | test",
                "python=3.7 script=./test.py | EXTRA_TESTS=true | test",
                "python=3.8 script=./other.py | EXTRA=1 | test",
            ],
            Rows(build, "python", "script"));
        Assert.Equal(8, build.Jobs[4].At.Start.Line);
        Assert.Equal(1, build.Jobs[0].At.Start.Line);
    }

    [Fact]
    public void Step_4_replaces_a_whole_key_without_merging_maps()
    {
        var build = Valid(
        [
            "language: shell",
            "os: [linux, osx]",
            "addons:",
            "  apt:",
            "    packages: [curl]",
            "jobs:",
            "  include:",
            "    - addons:",
            "        postgresql: \"9.6\"",
        ]);

        Assert.Equal(
            ["os=linux addons={apt: {packages: [curl]}} | - | test", "os=osx addons={apt: {packages: [curl]}} | - | test", "os=linux addons={postgresql: 9.6} | - | test"],
            Rows(build, "os", "addons"));
    }

    [Fact]
    public void Step_4_does_not_give_jobs_notifications_stages_or_version()
    {
        var build = Valid(["language: shell", "version: \"~> 1.0\"", "notifications: {email: false}", "stages: [test]", "install: true", "cache: pip", "services: [redis]"]);

        // Global keys first (os), then the shared ones in the root's order, the default dist last; the stage is §B10's.
        var config = Assert.Single(build.Jobs).Config;
        Assert.Equal(["os", "language", "install", "cache", "services", "dist", "stage"], config.Entries.Select(entry => entry.Name));
        Assert.False(config.Has("notifications"));
        Assert.False(config.Has("version"));
        Assert.False(config.Has("stages"));
    }

    [Fact]
    public void Step_2_lone_job_rule_an_expansion_of_one_job_gives_way_to_the_includes()
    {
        // TD "Explicitly included jobs with only one element in the build matrix".
        var build = Valid(["language: python", "python: [\"3.8\"]", "jobs:", "  include:", "    - env: EXTRA_TESTS=true"]);

        Assert.Equal(["python=3.8 | EXTRA_TESTS=true | test"], Rows(build, "python"));
    }

    [Fact]
    public void Step_2_an_empty_include_entry_keeps_the_lone_job()
    {
        var build = Valid(["language: python", "python: [\"3.8\"]", "jobs:", "  include:", "    - {}", "    - env: EXTRA_TESTS=true"]);

        Assert.Equal(["python=3.8 | - | test", "python=3.8 | EXTRA_TESTS=true | test"], Rows(build, "python"));
    }

    [Fact]
    public void Step_2_two_values_on_one_axis_keep_the_expansion_beside_the_includes()
    {
        var build = Valid(["language: python", "python: [\"3.8\", \"3.9\"]", "jobs:", "  include:", "    - env: EXTRA_TESTS=true"]);

        Assert.Equal(["python=3.8 | - | test", "python=3.9 | - | test", "python=3.8 | EXTRA_TESTS=true | test"], Rows(build, "python"));
    }

    [Fact]
    public void Step_3_with_no_matrix_at_all_the_build_is_one_job_of_the_shared_keys()
    {
        var build = Valid(["language: shell", "script: make"]);

        var job = Assert.Single(build.Jobs);
        Assert.Equal("language=shell script=make os=linux dist=focal | - | test", Row(job, "language", "script", "os", "dist"));
        Assert.Empty(build.Stages);
        Assert.False(build.FastFinish);
    }

    [Fact]
    public void Step_6_jobs_without_env_get_the_first_env_jobs_entry_and_everyone_gets_the_global_env_first_once()
    {
        var build = Valid(
        [
            "language: shell",
            "env:",
            "  global: [G=1]",
            "  jobs: [A=1, A=2]",
            "jobs:",
            "  include:",
            "    - name: no env",
            "    - name: own env",
            "      env: B=1",
            "    - name: global again",
            "      env: [G=1, C=1]",
        ]);

        Assert.Equal(
            [
                "name=- | G=1, A=1 | test",
                "name=- | G=1, A=2 | test",
                "name=no env | G=1, A=1 | test",
                "name=own env | G=1, B=1 | test",
                "name=global again | G=1, C=1 | test",
            ],
            Rows(build, "name"));
        Assert.All(build.Jobs, job => Assert.Equal(["G=1"], job.GlobalEnv.Select(Text)));
    }

    [Fact]
    public void Step_6_an_empty_value_in_a_job_follows_the_global_value()
    {
        // TY matrix_spec "empty var on env.jobs overwriting env.global".
        var build = Valid(["env:", "  global:", "    - ONE: one", "jobs:", "  include:", "    - env: ONE="]);

        Assert.Equal([" | {ONE: one}, ONE= | test"], Rows(build));
    }

    [Fact]
    public void A_list_on_a_matrix_key_of_an_include_entry_does_not_expand()
    {
        var (build, errors) = Expand(["language: ruby", "jobs:", "  include:", "    - rvm: [\"3.1\", \"3.2\"]"]);

        Assert.Equal(["rvm=3.1 | - | test"], Rows(build, "rvm"));
        Assert.Equal(0, errors.Count);
        var warning = Assert.Single(errors.Warnings());
        Assert.Equal((4, 12), (warning.Line, warning.Column));
        Assert.Contains("the first, '3.1', is used", warning.Message, StringComparison.Ordinal);
    }
}
