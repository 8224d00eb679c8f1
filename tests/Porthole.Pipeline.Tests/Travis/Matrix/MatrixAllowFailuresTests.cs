using Porthole.Pipeline.Travis.Matrix;
using Porthole.Pipeline.Yaml;
using static Porthole.Pipeline.Tests.Travis.Matrix.MatrixRun;

namespace Porthole.Pipeline.Tests.Travis.Matrix;

/// <summary>§B9 allow_failures, reorder (step 9) and fast_finish, as TY <c>configs/allow_failures.rb</c> and <c>reorder.rb</c> compute them.</summary>
public sealed class MatrixAllowFailuresTests
{
    [Fact]
    public void A_key_matches_by_exact_equality_and_jobs_allowed_to_fail_go_last()
    {
        // rvm: ["2.7"] is a list, which never equals a job's single value (no wrapping, unlike exclude).
        var build = Valid(
        [
            "language: ruby",
            "rvm: [\"2.6\", \"2.7\", \"3.0\"]",
            "jobs:",
            "  allow_failures:",
            "    - rvm: \"2.6\"",
            "    - rvm: [\"2.7\"]",
        ]);

        Assert.Equal(["rvm=2.7 | - | test", "rvm=3.0 | - | test", "rvm=2.6 | - | test | allow_failure"], Rows(build, "rvm"));
    }

    [Fact]
    public void Env_is_compared_without_the_global_env()
    {
        // Job 1: [A=1] is the entry. Job 2: [A=2] differs from [G=1, A=2] only by the global G=1, which travis-yml's
        // workaround accepts. Job 3: [A=3 B=1] is not [B=1] (extra variables do not match).
        var build = Valid(
        [
            "language: ruby",
            "rvm: [\"2.7\"]",
            "env:",
            "  global: [G=1]",
            "  jobs: [A=1, A=2, A=3 B=1]",
            "jobs:",
            "  allow_failures:",
            "    - env: A=1",
            "    - env: [G=1, A=2]",
            "    - env: B=1",
        ]);

        Assert.Equal(["rvm=2.7 | G=1, A=3 B=1 | test", "rvm=2.7 | G=1, A=1 | test | allow_failure", "rvm=2.7 | G=1, A=2 | test | allow_failure"], Rows(build, "rvm"));
    }

    [Fact]
    public void A_key_only_an_include_entry_has_still_matches_as_travis_code_does()
    {
        // TD build-matrix.md says no job is allowed to fail here ("all the keys … must exist in the top level"), but
        // travis-yml's matches? compares env and php of the included job and marks it; Porthole follows the code.
        var build = Valid(
        [
            "language: php",
            "php: [\"5.6\", \"7.0\"]",
            "jobs:",
            "  include:",
            "    - php: \"7.0\"",
            "      env: KEY=VALUE",
            "  allow_failures:",
            "    - php: \"7.0\"",
            "      env: KEY=VALUE",
        ]);

        Assert.Equal(["php=5.6 | - | test", "php=7.0 | - | test", "php=7.0 | KEY=VALUE | test | allow_failure"], Rows(build, "php"));
    }

    [Fact]
    public void An_entry_applies_when_its_condition_holds_and_an_entry_of_only_a_condition_matches_every_job()
    {
        var asked = new List<string>();
        bool Accept(string condition, Node at, MapNode? job)
        {
            Assert.Equal("env(TWO) = two", condition);
            asked.Add(Text(job!.Get("env")));
            return Text(job.Get("env")) == "[TWO=two]";
        }

        var build = Valid(["language: shell", "env:", "  jobs: [ONE=one, TWO=two]", "jobs:", "  allow_failures:", "    - if: env(TWO) = two"], Accept);

        Assert.Equal([" | ONE=one | test", " | TWO=two | test | allow_failure"], Rows(build));
        Assert.Equal(["[ONE=one]", "[TWO=two]"], asked);
    }

    [Fact]
    public void An_include_entry_may_say_allow_failure_itself()
    {
        var build = Valid(["language: shell", "jobs:", "  include:", "    - script: a", "      allow_failure: true", "    - script: b", "    - script: c", "      allow_failure: false"]);

        Assert.Equal(["script=b | - | test", "script=c | - | test", "script=a | - | test | allow_failure"], Rows(build, "script"));
    }

    [Fact]
    public void The_deprecated_branch_key_is_asked_of_the_trigger()
    {
        string[] config = ["language: ruby", "rvm: [\"2.6\", \"2.7\"]", "jobs:", "  allow_failures:", "    - rvm: \"2.6\"", "      branch: master"];
        ConditionCheck OnBranch(string branch) => (condition, _, _) => condition == $"branch = '{branch}'";

        Assert.Equal(["rvm=2.7 | - | test", "rvm=2.6 | - | test | allow_failure"], Rows(Valid(config, OnBranch("master")), "rvm"));
        Assert.Equal(["rvm=2.6 | - | test", "rvm=2.7 | - | test"], Rows(Valid(config, OnBranch("other")), "rvm"));
    }

    [Fact]
    public void Jobs_are_reordered_by_stage_then_allowed_failures_last_then_as_written()
    {
        // TY allow_failures_spec "with stages".
        var build = Valid(
        [
            "language: shell",
            "jobs:",
            "  allow_failures:",
            "    - env: ONE=one",
            "  include:",
            "    - stage: one",
            "      env: ONE=one",
            "    - stage: one",
            "      env: TWO=two",
            "    - stage: two",
            "      env: ONE=one",
            "    - stage: two",
            "      env: TWO=two",
            "    - stage: three",
            "      env: ONE=one",
            "    - stage: three",
            "      env: TWO=two",
        ]);

        Assert.Equal(
            [
                " | TWO=two | one",
                " | ONE=one | one | allow_failure",
                " | TWO=two | two",
                " | ONE=one | two | allow_failure",
                " | TWO=two | three",
                " | ONE=one | three | allow_failure",
            ],
            Rows(build));
    }

    [Fact]
    public void Fast_finish_is_read_from_jobs()
    {
        Assert.True(Valid(["language: shell", "jobs:", "  fast_finish: true"]).FastFinish);
        Assert.True(Valid(["language: shell", "matrix:", "  fast_finish: true", "  include:", "    - script: a"]).FastFinish);
        Assert.False(Valid(["language: shell", "jobs:", "  fast_finish: false"]).FastFinish);
        Assert.False(Valid(["language: shell"]).FastFinish);
    }
}
