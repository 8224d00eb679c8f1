using Porthole.Contracts.Plans;
using Porthole.Pipeline.Tests.Orbs;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary>Inline and registry orbs (dialects.md §A4), imported from a store and never from a network.</summary>
public sealed class OrbCompileTests
{
    private static ConfigResult Read(OrbFolder? orbs, params string[] lines) =>
        ConfigReader.Read(CirclePath, Lines(lines), inputs: new ConfigInputs { Orbs = orbs?.Source });

    [Fact]
    public void An_inline_orbs_job_uses_its_siblings_and_the_configs_global_commands()
    {
        // RC "Jobs defined in an orb can use commands in that orb or the global commands".
        var plan = Planned(Read(null,
            "version: 2.1",
            "commands:",
            "  banner: {steps: [{run: echo global}]}",
            "orbs:",
            "  tools:",
            "    executors:",
            "      small: {docker: [{image: alpine}]}",
            "    commands:",
            "      hello: {steps: [{run: echo orb}]}",
            "    jobs:",
            "      greet:",
            "        executor: small",
            "        steps: [hello, banner]",
            "workflows:",
            "  w:",
            "    jobs: [tools/greet]"));

        var job = Assert.Single(plan.Workflows[0].Jobs);
        Assert.Equal("tools/greet", job.Name);
        Assert.Equal("alpine", job.Executor.Image);
        Assert.Equal(["echo orb", "echo global"], job.Steps.Select(step => step.Command));
    }

    [Fact]
    public void Pipeline_parameters_are_not_in_scope_inside_an_orb()
    {
        // PV: "Pipeline parameters are not in scope in the body of orbs, even inline orbs".
        var result = Read(null,
            "version: 2.1",
            "parameters:",
            "  x: {type: string, default: a}",
            "orbs:",
            "  o:",
            "    commands:",
            "      c: {steps: [{run: 'echo << pipeline.parameters.x >>'}]}",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [o/c, {run: 'echo << pipeline.parameters.x >>'}]");

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal(7, error.Line);
        Assert.Contains("not in scope inside orbs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_registry_orb_resolves_a_partial_version_to_the_newest_stored_and_the_plan_records_it()
    {
        using var orbs = new OrbFolder();
        orbs.Add("acme", "tools", "1.2.0", Lines("version: 2.1", "commands:", "  hi: {steps: [{run: echo 1.2.0}]}"));
        orbs.Add("acme", "tools", "1.10.1", Lines("version: 2.1", "commands:", "  hi: {steps: [{run: echo 1.10.1}]}"));
        orbs.Add("acme", "tools", "2.0.0", Lines("version: 2.1", "commands:", "  hi: {steps: [{run: echo 2.0.0}]}"));

        var plan = Planned(Read(orbs,
            "version: 2.1",
            "orbs:",
            "  t: acme/tools@1",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [t/hi]"));

        Assert.Equal("echo 1.10.1", plan.Workflows[0].Jobs[0].Steps[0].Command);
        Assert.Equal([new OrbUse("t", "acme/tools@1", "acme/tools@1.10.1")], plan.Orbs);
    }

    [Fact]
    public void The_orbs_version_may_come_from_a_pipeline_parameter()
    {
        // §A0 step 3: pipeline parameters are substituted into the orbs: versions before orbs are imported.
        using var orbs = new OrbFolder();
        orbs.Add("acme", "tools", "3.0.0", Lines("version: 2.1", "commands:", "  hi: {steps: [{run: echo three}]}"));

        var result = ConfigReader.Read(CirclePath, Lines(
            "version: 2.1",
            "parameters:",
            "  tools: {type: string, default: '1.0.0'}",
            "orbs:",
            "  t: acme/tools@<< pipeline.parameters.tools >>",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [t/hi]"), inputs: new ConfigInputs
            {
                Orbs = orbs.Source,
                Values = new PipelineValues { Parameters = new Dictionary<string, string> { ["tools"] = "3.0.0" } },
            });

        Assert.Equal("echo three", Planned(result).Workflows[0].Jobs[0].Steps[0].Command);
    }

    [Fact]
    public void An_error_inside_a_registry_orb_names_the_orbs_file_and_where_it_was_used()
    {
        using var orbs = new OrbFolder();
        orbs.Add("acme", "tools", "1.0.0", Lines("version: 2.1", "commands:", "  hi:", "    steps:", "      - run: {command: x, colour: red}"));

        var result = Read(orbs,
            "version: 2.1",
            "orbs:",
            "  t: acme/tools@1.0.0",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [t/hi]");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("acme/tools@1.0.0", 5, 27), (error.File, error.Line, error.Column));
        Assert.EndsWith($"(in command 't/hi' invoked at 7:13)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_orb_that_imports_itself_is_refused_with_the_chain()
    {
        using var orbs = new OrbFolder();
        orbs.Add("acme", "a", "1.0.0", Lines("version: 2.1", "orbs:", "  b: acme/b@1.0.0"));
        orbs.Add("acme", "b", "1.0.0", Lines("version: 2.1", "orbs:", "  a: acme/a@1.0.0"));

        var result = Read(orbs,
            "version: 2.1",
            "orbs:",
            "  a: acme/a@1",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [checkout]");

        var error = Assert.Single(result.Errors);
        Assert.Equal("acme/b@1.0.0", error.File);
        Assert.Equal("orb acme/a@1.0.0 imports itself: acme/a@1.0.0 → acme/b@1.0.0 → acme/a@1.0.0", error.Message);
    }

    [Theory]
    [InlineData("this: is: not: yaml: [", "is not valid YAML")]
    [InlineData("- just\n- a list\n", "its source is a list, not a map")]
    public void An_orb_file_that_is_not_an_orb_is_refused_at_the_orbs_entry(string text, string message)
    {
        using var orbs = new OrbFolder();
        orbs.Add("acme", "bad", "1.0.0", text);

        var result = Read(orbs,
            "version: 2.1",
            "orbs:",
            "  bad: acme/bad@1.0.0",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [checkout]");

        ErrorAt(result, 3, 8, message);
    }

    [Fact]
    public void A_reference_to_an_element_an_orb_does_not_have_lists_what_it_has()
    {
        var result = Read(null,
            "version: 2.1",
            "orbs:",
            "  o:",
            "    commands:",
            "      a: {steps: [checkout]}",
            "jobs:",
            "  build:",
            "    docker: [{image: alpine}]",
            "    steps: [o/b, x/c]");

        ErrorAt(result, 9, 13, "orb 'o' has no command 'b' (its commands: a)");
        ErrorAt(result, 9, 18, "'x/c' names an element of orb 'x', which is not imported under orbs: (imported: o)");
    }
}
