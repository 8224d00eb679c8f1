using Porthole.Pipeline.Travis.Matrix;
using Porthole.Pipeline.Yaml;
using static Porthole.Pipeline.Tests.Travis.Matrix.MatrixRun;

namespace Porthole.Pipeline.Tests.Travis.Matrix;

/// <summary>§B9 steps 7 and 8: exclude, duplicate jobs, and the <c>if:</c> of include entries.</summary>
public sealed class MatrixExcludeTests
{
    private static readonly string[] DocsMatrix =
    [
        "language: ruby",
        "rvm: [1.9.3, 2.0.0, 2.1.0]",
        "env: [DB=mongodb, DB=redis, DB=mysql]",
        "gemfile: [Gemfile, gemfiles/rails4.gemfile, gemfiles/rails31.gemfile, gemfiles/rails32.gemfile]",
    ];

    [Fact]
    public void Step_7_a_partial_entry_excludes_every_job_with_those_values()
    {
        // TD build-matrix.md: 3 rvm × 4 gemfile × 3 env = 36 jobs; rvm 2.0.0 with Gemfile is 3 of them (one per env).
        var build = Valid([.. DocsMatrix, "jobs:", "  exclude:", "    - rvm: 2.0.0", "      gemfile: Gemfile"]);

        Assert.Equal(33, build.Jobs.Count);
        var rows = Rows(build, "rvm", "gemfile");
        Assert.DoesNotContain(rows, row => row.StartsWith("rvm=2.0.0 gemfile=Gemfile ", StringComparison.Ordinal));
        Assert.Equal(9, rows.Count(row => row.StartsWith("rvm=2.0.0 ", StringComparison.Ordinal)));
        Assert.Equal(
            ["rvm=2.0.0 gemfile=gemfiles/rails4.gemfile | DB=mongodb | test", "rvm=2.0.0 gemfile=gemfiles/rails4.gemfile | DB=redis | test"],
            rows[12..14]);
    }

    [Fact]
    public void Step_7_env_must_be_the_exact_list_of_variables()
    {
        string[] config =
        [
            "language: ruby",
            "rvm: [1.9.3, 2.0.0, 2.1.0]",
            "env: [DB=mongodb SUITE=all, DB=mongodb SUITE=compact, DB=redis, DB=mysql]",
            "jobs:",
            "  exclude:",
        ];

        // TD: "DB=mongodb" matches no job (each has SUITE too), so the matrix stays 3 × 4.
        Assert.Equal(12, Valid([.. config, "    - rvm: 1.9.3", "      env: DB=mongodb"]).Jobs.Count);

        // The full lists match. travis-yml compares the variables as a hash, so their order does not matter (the docs'
        // warning about the order predates that).
        var exact = Valid([.. config, "    - rvm: 1.9.3", "      env: DB=mongodb SUITE=all", "    - rvm: 1.9.3", "      env: SUITE=compact DB=mongodb"]);
        Assert.Equal(["rvm=1.9.3 | DB=redis | test", "rvm=1.9.3 | DB=mysql | test"], Rows(exact, "rvm")[..2]);
        Assert.Equal(10, exact.Jobs.Count);
    }

    [Fact]
    public void Step_7_env_is_compared_without_the_global_env()
    {
        var build = Valid(
        [
            "language: python",
            "python: [\"3.7\"]",
            "env:",
            "  global: [FOO=foo]",
            "  matrix: [ONE=one, TWO=two]",
            "jobs:",
            "  exclude:",
            "    - env: TWO=two",
        ]);

        Assert.Equal(["python=3.7 | FOO=foo, ONE=one | test"], Rows(build, "python"));
    }

    [Fact]
    public void Step_7_an_entry_applies_only_when_its_condition_holds()
    {
        var seen = new List<(string Condition, int Line, string? Env)>();
        bool Accept(string condition, Node at, MapNode? job)
        {
            seen.Add((condition, at.Start.Line, Text(job?.Get("env"))));
            return condition switch
            {
                "true" => true,
                "false" => false,
                "env(FOO) = two" => Text(job!.Get("env")) == "[FOO=two]",
                _ => throw new InvalidOperationException(condition),
            };
        }

        string[] Config(params string[] exclude) => ["language: shell", "env: [FOO=one, FOO=two]", "jobs:", "  exclude:", .. exclude];

        Assert.Equal([" | FOO=two | test"], Rows(Valid(Config("    - env: FOO=one", "      if: \"true\""), Accept)));
        Assert.Equal([" | FOO=one | test", " | FOO=two | test"], Rows(Valid(Config("    - env: FOO=one", "      if: \"false\""), Accept)));

        // An entry of only a condition matches every job, and the condition sees the job's merged config.
        seen.Clear();
        Assert.Equal([" | FOO=one | test"], Rows(Valid(Config("    - if: env(FOO) = two"), Accept)));
        Assert.Equal([("env(FOO) = two", 5, "[FOO=one]"), ("env(FOO) = two", 5, "[FOO=two]")], seen);
    }

    [Fact]
    public void Step_7_stage_matches_the_job_stage_as_written_or_test_for_a_job_without_one()
    {
        string[] Config(string secondStage) =>
        [
            "language: ruby",
            "rvm: [\"2.6\", \"2.7\"]",
            "jobs:",
            "  include:",
            "    - stage: Lint",
            "      rvm: \"2.7\"",
            $"    - stage: {secondStage}",
            "      rvm: \"2.6\"",
            "  exclude:",
            "    - stage: test",
            "      rvm: \"2.6\"",
        ];

        // The expanded 2.6 job has no stage yet (test) and the include's stage is "test": both excluded.
        Assert.Equal(["rvm=2.7 | - | test", "rvm=2.7 | - | Lint"], Rows(Valid(Config("test")), "rvm"));

        // "Test" is not "test" to exclude (Ruby ==). The default stage is then "Test", the jobs' own spelling (§B10).
        Assert.Equal(["rvm=2.7 | - | Test", "rvm=2.6 | - | Test", "rvm=2.7 | - | Lint"], Rows(Valid(Config("Test")), "rvm"));
    }

    [Fact]
    public void Step_7_every_key_of_an_entry_must_match_and_may_leave_no_job()
    {
        // TY matrix_spec "jobs exclude (2)".
        var build = Valid(["language: scala", "scala: 2.11.8", "jdk: oraclejdk8", "jobs:", "  exclude:", "    - scala: 2.11.8", "      jdk: oraclejdk8"]);

        Assert.Empty(build.Jobs);
        Assert.Empty(build.Stages);

        var kept = Valid(["language: scala", "scala: 2.11.8", "jdk: oraclejdk8", "jobs:", "  exclude:", "    - scala: 2.11.8", "      jdk: openjdk8"]);
        Assert.Equal(["scala=2.11.8 jdk=oraclejdk8 | - | test"], Rows(kept, "scala", "jdk"));
    }

    [Fact]
    public void Step_7_a_value_and_a_list_of_that_one_value_are_the_same_to_exclude()
    {
        // TY matrix/exclude.rb compares Array(job[k]) with Array(v) (allow_failures does not; see its tests).
        var build = Valid(["language: ruby", "rvm: [\"2.6\", \"2.7\"]", "jobs:", "  exclude:", "    - rvm: [\"2.7\"]"]);

        Assert.Equal(["rvm=2.6 | - | test"], Rows(build, "rvm"));
    }

    [Fact]
    public void Step_8_duplicate_jobs_are_dropped_and_a_name_makes_a_job_different()
    {
        var build = Valid(
        [
            "language: ruby",
            "rvm: [2.2, \"2.3\"]",
            "env:",
            "  jobs: FOO=foo",
            "jobs:",
            "  include:",
            "    - env: FOO=foo",
            "      rvm: \"2.2\"",
            "    - env: [FOO=foo]",
            "      rvm: 2.2",
            "      name: named",
        ]);

        Assert.Equal(["rvm=2.2 name=- | FOO=foo | test", "rvm=2.3 name=- | FOO=foo | test", "rvm=2.2 name=named | FOO=foo | test"], Rows(build, "rvm", "name"));
    }

    [Fact]
    public void Step_8_an_include_entry_whose_condition_is_false_makes_no_job()
    {
        MapNode? asked = null;
        bool Accept(string condition, Node at, MapNode? job)
        {
            Assert.Equal(("branch = master", 6, 11), (condition, at.Start.Line, at.Start.Column));
            asked = job;
            return false;
        }

        var build = Valid(["language: shell", "jobs:", "  include:", "    - env: FOO=one", "    - env: FOO=two", "      if: branch = master"], Accept);

        Assert.Equal([" | FOO=one | test"], Rows(build));
        Assert.NotNull(asked);
        Assert.Equal("language=shell os=linux dist=focal if=branch = master | FOO=two | test", Row(new TravisJobConfig(asked, [], "test", false, null, asked), "language", "os", "dist", "if"));
    }

    [Fact]
    public void Step_8_the_root_condition_is_a_shared_key_so_each_job_is_asked_it_with_its_own_config()
    {
        // TY Matrix::DROP does not hold "if": the root's condition reaches every job (step 4) and filters it (step 8).
        ConditionCheck OnLinux = (condition, _, job) => condition == "os = linux" && Text(job!.Get("os")) == "linux";

        var build = Valid(["if: os = linux", "language: shell", "os: [linux, osx]"], OnLinux);

        Assert.Equal(["os=linux if=os = linux | - | test"], Rows(build, "os", "if"));
    }
}
