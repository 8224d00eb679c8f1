using Porthole.Pipeline.Travis.Matrix;
using Porthole.Pipeline.Yaml;
using static Porthole.Pipeline.Tests.Travis.Matrix.MatrixRun;

namespace Porthole.Pipeline.Tests.Travis.Matrix;

/// <summary>§B10: stage names, their order, their conditions, and the jobs they carry.</summary>
public sealed class MatrixStageTests
{
    [Fact]
    public void Stages_come_in_the_stages_list_order_then_by_first_appearance_compared_case_insensitively()
    {
        // The lone os job gives way to the includes (§B9 step 2). The third include carries "test" from the second
        // (step 2); "test" and "lint" are the stages: entries "Test" and "Lint", "deploy" is appended after them.
        var build = Valid(
        [
            "language: shell",
            "stages:",
            "  - name: Lint",
            "  - Test",
            "jobs:",
            "  include:",
            "    - stage: deploy",
            "      script: ./deploy",
            "    - stage: test",
            "      script: ./t1",
            "    - script: ./t2",
            "    - stage: lint",
            "      script: ./lint",
        ]);

        Assert.Equal(["Lint", "Test", "deploy"], build.Stages.Select(stage => stage.Name));
        Assert.Equal([3, 4, 7], build.Stages.Select(stage => stage.At!.Start.Line));
        Assert.Equal(["script=./lint | - | Lint", "script=./t1 | - | Test", "script=./t2 | - | Test", "script=./deploy | - | deploy"], Rows(build, "script"));
    }

    [Fact]
    public void Expanded_jobs_are_in_the_default_test_stage_which_comes_first_when_they_do()
    {
        var build = Valid(["language: ruby", "rvm: [\"2.6\", \"2.7\"]", "jobs:", "  include:", "    - stage: deploy", "      script: ./deploy"]);

        Assert.Equal([("test", (Node?)null), ("deploy", build.Stages[1].At)], build.Stages.Select(stage => (stage.Name, stage.At)));
        Assert.Equal(5, build.Stages[1].At!.Start.Line);
        Assert.Equal(["rvm=2.6 | - | test", "rvm=2.7 | - | test", "rvm=2.6 | - | deploy"], Rows(build, "rvm"));
    }

    [Fact]
    public void The_default_stage_takes_the_spelling_of_a_stage_named_test()
    {
        var build = Valid(["language: ruby", "rvm: [\"2.6\", \"2.7\"]", "stages: [Test, deploy]", "jobs:", "  include:", "    - stage: deploy"]);

        Assert.Equal(["Test", "deploy"], build.Stages.Select(stage => stage.Name));
        Assert.Equal(["rvm=2.6 | - | Test", "rvm=2.7 | - | Test", "rvm=2.6 | - | deploy"], Rows(build, "rvm"));
    }

    [Fact]
    public void A_stage_whose_condition_is_false_is_removed_with_its_jobs_and_an_empty_stage_is_removed()
    {
        string[] config =
        [
            "language: shell",
            "stages:",
            "  - build",
            "  - name: deploy",
            "    if: branch = master",
            "  - unused",
            "jobs:",
            "  include:",
            "    - stage: build",
            "      script: make",
            "    - stage: deploy",
            "      script: ./deploy",
        ];
        ConditionCheck Branch(bool master) => (condition, at, job) =>
        {
            Assert.Equal(("branch = master", 5, 9), (condition, at.Start.Line, at.Start.Column));
            Assert.Null(job);
            return master;
        };

        var master = Valid(config, Branch(true));
        Assert.Equal(["build", "deploy"], master.Stages.Select(stage => stage.Name));
        Assert.Equal(["script=make | - | build", "script=./deploy | - | deploy"], Rows(master, "script"));

        var other = Valid(config, Branch(false));
        Assert.Equal(["build"], other.Stages.Select(stage => stage.Name));
        Assert.Equal(["script=make | - | build"], Rows(other, "script"));
    }

    [Fact]
    public void Without_stages_anywhere_the_build_has_none_and_every_job_is_in_test()
    {
        var build = Valid(["language: ruby", "rvm: [\"2.6\", \"2.7\"]", "jobs:", "  include:", "    - name: extra"]);

        Assert.Empty(build.Stages);
        Assert.All(build.Jobs, job => Assert.Equal("test", job.Stage));
        Assert.Equal(3, build.Jobs.Count);
    }

    [Fact]
    public void A_stage_is_carried_to_later_include_entries_but_not_back_to_earlier_ones()
    {
        // Step 2 carries "lint" forward; the first entry, before any stage, is in the default stage.
        var build = Valid(["language: shell", "jobs:", "  include:", "    - script: a", "    - stage: lint", "      script: b", "    - script: c"]);

        Assert.Equal(["test", "lint"], build.Stages.Select(stage => stage.Name));
        Assert.Equal(["script=a | - | test", "script=b | - | lint", "script=c | - | lint"], Rows(build, "script"));
    }
}
