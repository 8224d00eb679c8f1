using Porthole.Contracts.Plans;
using Porthole.Pipeline.Tests.Support;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.Travis;

/// <summary>The generated phase scripts, run with bash, behave as Travis runs phases.</summary>
public sealed class PhaseScriptTests
{
    private static JobPlan Job(params string[] lines) => OnlyJob(ReadTravis(["language: shell", .. lines]));

    private static string Run(JobPlan job, out PhaseRunner runner)
    {
        runner = new PhaseRunner().Run(job);
        return runner.Output.ToString();
    }

    [Fact]
    public void Script_runs_every_command_and_fails_with_the_last_failure()
    {
        var job = Job("script:", "  - echo one", "  - (exit 3)", "  - echo three", "  - (exit 4)", "  - echo five");

        var output = Run(job, out var runner);
        using (runner)
        {
            Assert.Contains("one\n", output, StringComparison.Ordinal);
            Assert.Contains("three\n", output, StringComparison.Ordinal);
            Assert.Contains("five\n", output, StringComparison.Ordinal);
            Assert.Contains("The command \"(exit 3)\" exited with 3.", output, StringComparison.Ordinal);
            Assert.Contains("The command \"echo one\" exited with 0.", output, StringComparison.Ordinal);
            Assert.Equal(4, runner.ExitCodeOf("script"));
        }
    }

    [Fact]
    public void Setup_phases_stop_at_the_first_failure_and_later_phases_except_after_failure_and_after_script_are_skipped()
    {
        var job = Job(
            "install:",
            "  - echo first",
            "  - (exit 3)",
            "  - echo NOT_RUN",
            "before_script: echo NOT_RUN_EITHER",
            "script: echo NO_SCRIPT",
            "after_success: echo NO_SUCCESS",
            "after_failure: echo failure-ran",
            "after_script: echo after-script-ran");

        var output = Run(job, out var runner);
        using (runner)
        {
            // The shell language's setup (announcing bash's version) runs first and passes.
            Assert.Equal([("setup", 0), ("install", 3), ("after_failure", 0), ("after_script", 0)], runner.Results);
            Assert.Contains("The command \"(exit 3)\" failed and exited with 3 during install.", output, StringComparison.Ordinal);
            Assert.DoesNotContain("NOT_RUN", output, StringComparison.Ordinal);
            Assert.DoesNotContain("NO_", output, StringComparison.Ordinal);
            Assert.Contains("failure-ran", output, StringComparison.Ordinal);
            Assert.Contains("after-script-ran", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Commands_are_echoed_before_they_run_without_being_expanded()
    {
        var job = Job("script:", "  - X=$(echo EXPANDED); echo \"got $X\"", "  - echo 'it'\"'\"'s'");

        var output = Run(job, out var runner);
        using (runner)
        {
            Assert.Contains("$ X=$(echo EXPANDED); echo \"got $X\"", output, StringComparison.Ordinal);
            Assert.Contains("got EXPANDED\n", output, StringComparison.Ordinal);
            Assert.Contains("$ echo 'it'\"'\"'s'", output, StringComparison.Ordinal);
            Assert.Contains("it's\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Exports_functions_and_the_directory_carry_to_later_commands_and_phases()
    {
        var job = Job(
            "before_install:",
            "  - export FROM_INSTALL=yes",
            "  - PLAIN=not-exported",
            "  - mkdir -p sub && cd sub",
            "install:",
            "  - |",
            "    greet () {",
            "      echo \"hello $1\"",
            "    }",
            "script:",
            "  - echo \"$FROM_INSTALL $PLAIN $(basename \"$PWD\")\"",
            "  - greet world",
            "  - bash -c 'echo \"child sees ${FROM_INSTALL:-nothing} ${PLAIN:-nothing}\"'");

        var output = Run(job, out var runner);
        using (runner)
        {
            Assert.False(runner.Failed, output);
            Assert.Contains("yes not-exported sub\n", output, StringComparison.Ordinal);
            Assert.Contains("hello world\n", output, StringComparison.Ordinal);
            Assert.Contains("child sees yes nothing\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_command_that_exits_ends_the_phase_with_its_status_and_the_state_is_still_saved()
    {
        var job = Job(
            "script:",
            "  - export BEFORE_EXIT=kept",
            "  - exit 7",
            "  - echo NEVER",
            "after_script: 'echo \"after: $BEFORE_EXIT $TRAVIS_TEST_RESULT\"'");

        var output = Run(job, out var runner);
        using (runner)
        {
            Assert.Equal(7, runner.ExitCodeOf("script"));
            Assert.DoesNotContain("NEVER", output, StringComparison.Ordinal);
            Assert.Contains("after: kept 1\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Exit_zero_after_a_failed_command_still_fails_the_script_phase()
    {
        var job = Job("script:", "  - (exit 2)", "  - exit 0");

        using var runner = new PhaseRunner().Run(job);

        Assert.Equal(2, runner.ExitCodeOf("script"));
    }

    [Fact]
    public void Config_variables_are_exported_with_shell_expansion_as_travis_does()
    {
        var job = Job(
            "env: A=1 B=\"two words\" C=$A-x D=$(echo computed)",
            "before_install: A=changed",
            "script: echo \"[$A] [$B] [$C] [$D]\"");

        var output = Run(job, out var runner);
        using (runner)
        {
            Assert.Contains("$ export B=\"two words\"", output, StringComparison.Ordinal);
            Assert.Contains("[changed] [two words] [1-x] [computed]\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_variable_a_phase_unsets_stays_unset()
    {
        var job = Job("env: GONE=1", "before_install: unset GONE", "script: echo \"gone=${GONE:-unset}\"");

        var output = Run(job, out var runner);
        using (runner)
        {
            Assert.Contains("gone=unset\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Multi_line_commands_with_if_and_a_syntax_error_in_one_command_spoils_only_that_command()
    {
        var job = Job(
            "script:",
            "  - |",
            "    if [ 1 = 1 ]; then",
            "      echo inside-if",
            "    fi",
            "  - if true; then echo unclosed",
            "  - echo still-running");

        var output = Run(job, out var runner);
        using (runner)
        {
            Assert.Contains("inside-if\n", output, StringComparison.Ordinal);
            Assert.Contains("still-running\n", output, StringComparison.Ordinal);
            Assert.Equal(2, runner.ExitCodeOf("script"));
        }
    }

    [Fact]
    public void Set_e_in_one_phase_carries_to_the_next_as_in_travis_single_shell()
    {
        var job = Job("install: set -e", "script:", "  - (exit 5)", "  - echo NOT_AFTER_SET_E");

        var output = Run(job, out var runner);
        using (runner)
        {
            Assert.Equal(5, runner.ExitCodeOf("script"));
            Assert.DoesNotContain("NOT_AFTER_SET_E", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void After_success_runs_only_when_the_script_passed()
    {
        var passed = Job("script: 'true'", "after_success: echo SUCCESS-HOOK", "after_failure: echo FAILURE-HOOK");
        var failed = Job("script: 'false'", "after_success: echo SUCCESS-HOOK", "after_failure: echo FAILURE-HOOK");

        Assert.Contains("SUCCESS-HOOK", Run(passed, out var first), StringComparison.Ordinal);
        first.Dispose();
        var output = Run(failed, out var second);
        using (second)
        {
            Assert.DoesNotContain("SUCCESS-HOOK", output, StringComparison.Ordinal);
            Assert.Contains("FAILURE-HOOK", output, StringComparison.Ordinal);
            Assert.True(second.Failed);
        }
    }

    [Fact]
    public void A_failing_after_script_does_not_affect_the_result()
    {
        using var runner = new PhaseRunner().Run(Job("script: 'true'", "after_script: 'false'"));

        Assert.Equal(1, runner.ExitCodeOf("after_script"));
        Assert.False(runner.Failed);
    }

    [Fact]
    public void Travis_retry_runs_a_failing_command_up_to_three_times()
    {
        var job = Job("script: travis_retry bash -c 'n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) > count; [ $n -ge 1 ]'");

        var output = Run(job, out var runner);
        using (runner)
        {
            Assert.Equal(0, runner.ExitCodeOf("script"));
            Assert.Contains("Retrying, 2 of 3", output, StringComparison.Ordinal);
            Assert.Equal("2", File.ReadAllText(Path.Combine(runner.Checkout, "count")).Trim());
        }
    }

    [Fact]
    public void The_state_file_stays_out_of_the_work_tree()
    {
        using var runner = new PhaseRunner().Run(Job("install: export A=1", "script: 'true'"));

        Assert.True(File.Exists(Path.Combine(runner.Checkout, ".git", "porthole-travis-state.sh")));
        Assert.Equal([".git"], Directory.GetFileSystemEntries(runner.Checkout).Select(Path.GetFileName));
    }
}
