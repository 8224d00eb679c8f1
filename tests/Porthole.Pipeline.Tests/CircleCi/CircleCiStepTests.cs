using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

public sealed class CircleCiStepTests
{
    private static IReadOnlyList<StepPlan> Steps(params string[] steps) =>
        OnlyJob(ReadCircle(["version: 2", "jobs:", "  build:", "    steps:", .. steps])).Steps;

    [Fact]
    public void Checkout_as_a_string_and_as_a_map_with_a_path()
    {
        var steps = Steps("      - checkout", "      - checkout:", "          path: ~/src");

        Assert.Equivalent(new StepPlan(StepKind.Checkout, "Checkout code", null, "/bin/bash -eo pipefail", [], null, false, StepCondition.OnSuccess, null), steps[0]);
        Assert.Equal(StepKind.Checkout, steps[1].Kind);
        Assert.Equal("~/src", steps[1].WorkingDirectory);
    }

    [Fact]
    public void Run_as_a_string_is_named_after_the_first_line_of_its_command()
    {
        var step = Assert.Single(Steps("      - run: |", "          # set up", "          make all", "          make test"));

        Assert.Equal(StepKind.Run, step.Kind);
        Assert.Equal("# set up", step.Name);
        Assert.Equal("# set up\nmake all\nmake test\n", step.Command);
        Assert.Equal("/bin/bash -eo pipefail", step.Shell);
        Assert.Equal(StepCondition.OnSuccess, step.When);
        Assert.True(step.AffectsResult);
        Assert.Null(step.Phase);
    }

    [Fact]
    public void Run_as_a_map_with_every_option()
    {
        var step = Assert.Single(Steps(
            "      - run:",
            "          name: Integration tests",
            "          command: make it",
            "          shell: /bin/sh",
            "          environment:",
            "            DB: postgres",
            "          working_directory: ~/project/it",
            "          background: true",
            "          when: always",
            "          no_output_timeout: 1h30m"));

        Assert.Equivalent(
            new StepPlan(StepKind.Run, "Integration tests", "make it", "/bin/sh", [new("DB", "postgres")], "~/project/it", true, StepCondition.Always, TimeSpan.FromMinutes(90)),
            step);
    }

    [Theory]
    [InlineData("always", StepCondition.Always)]
    [InlineData("on_fail", StepCondition.OnFail)]
    [InlineData("on_success", StepCondition.OnSuccess)]
    public void Run_when(string when, StepCondition expected)
    {
        Assert.Equal(expected, Steps("      - run:", "          command: x", $"          when: {when}")[0].When);
    }

    [Fact]
    public void An_unknown_when_is_an_error_at_the_value()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - run: {command: x, when: sometimes}"), 5, 33, "when must be always, on_success or on_fail, found 'sometimes'");
    }

    [Theory]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    [InlineData("30s", 30)]
    [InlineData("1h30m", 5400)]
    [InlineData("\"20m\"", 1200)]
    [InlineData("1.5h", 5400)]
    [InlineData("2m30s", 150)]
    public void No_output_timeout_reads_circleci_durations(string value, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Steps("      - run:", "          command: x", $"          no_output_timeout: {value}")[0].NoOutputTimeout);
    }

    [Theory]
    [InlineData("600")]
    [InlineData("ten minutes")]
    [InlineData("0m")]
    [InlineData("10d")]
    public void A_bad_no_output_timeout_is_an_error_at_the_value(string value)
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - run:", "          command: x", $"          no_output_timeout: {value}");

        OnlyError(result, 7, 30, "no_output_timeout must be a duration such as 10m, 1h30m or 30s");
    }

    [Fact]
    public void A_bad_background_is_an_error()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - run: {command: x, background: maybe}"), 5, 39, "background must be true or false, found 'maybe'");
    }

    [Fact]
    public void Run_without_a_command_is_an_error()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - run:", "          name: nothing"), 5, 9, "run needs a command: key");
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - run:"), 5, 9, "run needs a command");
    }

    [Fact]
    public void An_unknown_run_key_is_refused()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - run: {command: x, max_auto_reruns: 3}"), 5, 27, "run max_auto_reruns is not supported");
    }

    [Fact]
    public void A_step_map_with_two_keys_is_an_error_naming_them()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - run:", "        name: misindented");

        OnlyError(result, 5, 9, "a step is a map with one key, its type; this one has 2: run, name");
    }

    [Fact]
    public void A_hyphenated_add_ssh_keys_is_an_unknown_step_naming_its_spelling()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - checkout", "      - add-ssh-keys");

        OnlyError(result, 6, 9, "unknown step type 'add-ssh-keys'; the step is spelled 'add_ssh_keys'");
    }

    [Fact]
    public void Conditional_steps_in_a_version_2_file_say_they_need_2_1()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - when:", "          condition: true", "          steps: [checkout]");

        OnlyError(result, 5, 9, "conditional steps (when) need version: 2.1");
    }

    [Fact]
    public void Orbs_and_commands_in_a_version_2_file_say_they_need_2_1()
    {
        var result = ReadCircle(
            "version: 2",
            "orbs:",
            "  node: circleci/node@4.0.0",
            "commands:",
            "  hello:",
            "    steps: [checkout]",
            "jobs:",
            "  build:",
            "    steps:",
            "      - node/install:",
            "          node-version: '12'",
            "      - hello");

        ErrorAt(result, 2, 1, "orbs need version: 2.1");
        ErrorAt(result, 4, 1, "commands need version: 2.1");
        ErrorAt(result, 10, 9, "orb commands ('node/install') need version: 2.1");
        ErrorAt(result, 12, 9, "unknown step type 'hello'");
        Assert.Equal(4, result.Errors.Count);
    }

    [Fact]
    public void Pipeline_values_in_2_1_strings_are_substituted_and_an_undeclared_parameter_is_an_error()
    {
        var result = ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    environment:",
            "      TAG: << pipeline.git.tag >>",
            "    steps:",
            "      - run: echo << parameters.name >>");
        var planned = ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    environment:",
            "      TAG: v<< pipeline.git.tag >>",
            "    steps:",
            "      - run: echo << pipeline.git.branch >>");

        OnlyError(result, 7, 19, "Arguments referenced without declared parameters: parameters.name");
        var job = OnlyJob(planned);
        Assert.Equal([new EnvironmentVariable("TAG", "v")], job.Environment);
        Assert.Equal("echo ", job.Steps[0].Command);
    }

    [Fact]
    public void In_2_0_double_angle_text_is_literal()
    {
        var step = Assert.Single(OnlyJob(ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - run: cat << parameters.x >> file")).Steps);

        Assert.Equal("cat << parameters.x >> file", step.Command);
    }

    [Fact]
    public void A_step_that_is_a_list_is_an_error()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    steps:", "      - [run, x]"), 5, 9, "a step must be a step type or a map with one, found a list");
    }
}
