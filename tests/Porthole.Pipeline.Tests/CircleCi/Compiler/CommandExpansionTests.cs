using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary>Reusable commands inlined where they are invoked (dialects.md §A1.3), with their own parameter scope (§A1.2).</summary>
public sealed class CommandExpansionTests
{
    [Fact]
    public void A_command_is_inlined_with_its_arguments_and_its_defaults()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2.1",
            "commands:",
            "  greet:",
            "    parameters:",
            "      to: {type: string, default: world}",
            "      loud: {type: boolean, default: false}",
            "    steps:",
            "      - run: echo hello << parameters.to >><<# parameters.loud >>!<</ parameters.loud >>",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps:",
            "      - greet",
            "      - greet: {to: Lev, loud: true}"));

        Assert.Equal(["echo hello world", "echo hello Lev!"], job.Steps.Select(step => step.Command));
    }

    [Fact]
    public void Commands_invoke_commands_and_a_steps_parameter_is_spliced_in_place()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2.1",
            "commands:",
            "  around:",
            "    parameters:",
            "      body: {type: steps, default: []}",
            "    steps:",
            "      - run: echo before",
            "      - steps: << parameters.body >>",
            "      - say: {what: after}",
            "  say:",
            "    parameters:",
            "      what: {type: string}",
            "    steps:",
            "      - run: echo << parameters.what >>",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps:",
            "      - around:",
            "          body:",
            "            - run: echo one",
            "            - say: {what: two}"));

        Assert.Equal(["echo before", "echo one", "echo two", "echo after"], job.Steps.Select(step => step.Command));
    }

    [Fact]
    public void A_user_command_shadows_a_built_in_step_of_the_same_name()
    {
        // RC "Special keys": it is possible to override the special keys with a custom command.
        var job = OnlyJob(ReadCircle(
            "version: 2.1",
            "commands:",
            "  checkout:",
            "    steps:",
            "      - run: git clone --depth 1 \"$CIRCLE_REPOSITORY_URL\" .",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [checkout]"));

        var step = Assert.Single(job.Steps);
        Assert.Equal(StepKind.Run, step.Kind);
    }

    [Fact]
    public void Parameters_are_lexically_scoped_so_a_command_does_not_see_its_callers()
    {
        // §A1.2 "Scope is lexical": the job's parameters have to be passed on explicitly.
        var result = ReadCircle(
            "version: 2.1",
            "commands:",
            "  say:",
            "    steps:",
            "      - run: echo << parameters.message >>",
            "jobs:",
            "  build:",
            "    parameters:",
            "      message: {type: string, default: hi}",
            "    docker: [{image: alpine}]",
            "    steps: [say]");

        var error = OnlyError(result, 5, 19, "Arguments referenced without declared parameters: parameters.message");
        Assert.Contains("(in command 'say' invoked at 11:13", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_inside_a_command_names_the_command_line_and_where_it_was_invoked()
    {
        var result = ReadCircle(
            "version: 2.1",
            "commands:",
            "  broken:",
            "    steps:",
            "      - run: {command: make, colour: red}",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps:",
            "      - checkout",
            "      - broken");

        var error = ErrorAt(result, 5, 30, "run colour is not supported");
        Assert.EndsWith("(in command 'broken' invoked at 11:9)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_that_invokes_itself_directly_is_refused_with_the_chain()
    {
        var result = ReadCircle(
            "version: 2.1",
            "commands:",
            "  loop:",
            "    steps: [loop]",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [loop]");

        var error = ErrorAt(result, 4, 13, "command 'loop' invokes itself: loop → loop");
        Assert.Contains("invoked at 8:13", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_that_invoke_each_other_in_a_circle_are_refused_once_with_the_chain()
    {
        var result = ReadCircle(
            "version: 2.1",
            "commands:",
            "  ping:",
            "    steps: [pong]",
            "  pong:",
            "    steps: [ping]",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [ping]");

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Message.StartsWith("command 'ping' invokes itself: ping → pong → ping", StringComparison.Ordinal));
    }

    [Fact]
    public void Commands_that_double_at_every_level_run_out_of_the_node_budget_rather_than_memory()
    {
        var lines = new List<string> { "version: 2.1", "commands:", "  c0:", "    steps:", "      - run: echo x" };
        for (var level = 1; level <= 30; level++)
        {
            lines.AddRange([$"  c{level}:", "    steps:", $"      - c{level - 1}", $"      - c{level - 1}"]);
        }

        lines.AddRange(["jobs:", "  build:", "    docker: [{image: alpine}]", "    steps: [c30]"]);

        var result = ReadCircle([.. lines]);

        Assert.Contains(result.Errors, e => e.Message.StartsWith("the config expands to more than", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("when", "true", new[] { "echo always", "echo conditional" })]
    [InlineData("when", "false", new[] { "echo always" })]
    [InlineData("unless", "true", new[] { "echo always" })]
    [InlineData("unless", "false", new[] { "echo always", "echo conditional" })]
    public void Conditional_steps_are_decided_at_compile_time_from_parameters(string kind, string flag, string[] expected)
    {
        // §A3: the step form is evaluated at compile time, with parameter and pipeline values only.
        var job = OnlyJob(ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    parameters:",
            $"      flag: {{type: boolean, default: {flag}}}",
            "    docker: [{image: alpine}]",
            "    steps:",
            "      - run: echo always",
            $"      - {kind}:",
            "          condition: << parameters.flag >>",
            "          steps:",
            "            - run: echo conditional"));

        Assert.Equal(expected, job.Steps.Select(step => step.Command));
    }

    [Fact]
    public void A_misspelt_logic_operator_is_named_instead_of_read_as_true()
    {
        // CircleCI silently accepts equals: (circleci-cli #659); issue 12 wants the key named.
        var result = ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps:",
            "      - when:",
            "          condition:",
            "            equals: [a, a]",
            "          steps: [checkout]");

        Assert.Contains(result.Errors, e => e.Line == 8 && e.Message.Contains("'equals'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_literal_heredoc_in_a_2_1_command_plans_with_a_warning_and_an_escaped_one_without()
    {
        // §A1.2: CircleCI refuses an unclosed << tag; \<< is the escape.
        var result = ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps:",
            "      - run: cat <<EOF > out",
            "      - run: cat \\<<EOF > out");

        var job = OnlyJob(result);
        Assert.Equal(["cat <<EOF > out", "cat <<EOF > out"], job.Steps.Select(step => step.Command));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(6, warning.Line);
    }

    [Fact]
    public void A_parameter_reference_in_a_key_name_is_an_error()
    {
        var result = ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    parameters:",
            "      var: {type: string, default: X}",
            "    docker: [{image: alpine}]",
            "    environment:",
            "      << parameters.var >>: value",
            "    steps: [checkout]");

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Line == 8 && e.Message.Contains("cannot be a key", StringComparison.Ordinal));
    }
}
