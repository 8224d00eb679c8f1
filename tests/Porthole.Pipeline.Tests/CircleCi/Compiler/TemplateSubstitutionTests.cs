using Porthole.Pipeline.CircleCi.Compiler;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary><c>&lt;&lt; … &gt;&gt;</c> references in values: typed whole values and string interpolation (dialects.md §A1.2).</summary>
public sealed class TemplateSubstitutionTests
{
    private static readonly CallSite Site = new("command 'say'", new Position(40, 9), null);

    [Fact]
    public void A_whole_value_reference_keeps_the_integer_type()
    {
        var (body, errors) = Load("parallelism: << parameters.p >>");
        var scope = Scope(("p", Plain("4")));

        var result = (MapNode)Template.Substitute(body, scope, null, errors, Budget(errors));

        var value = Assert.IsType<ScalarNode>(result.Get("parallelism"));
        Assert.Equal("4", value.Value);
        Assert.True(value.IsPlain);
        Assert.Equal(new Position(1, 14), value.Start);
        Assert.Empty(errors.ToList());
    }

    [Fact]
    public void A_whole_value_boolean_stays_a_plain_boolean_even_from_a_quoted_template()
    {
        var (body, errors) = Load("condition: \"<< parameters.flag >>\"");

        var result = (MapNode)Template.Substitute(body, Scope(("flag", Plain("true"))), null, errors, Budget(errors));

        var value = Assert.IsType<ScalarNode>(result.Get("condition"));
        Assert.Equal(("true", true), (value.Value, value.IsPlain));
    }

    [Fact]
    public void A_whole_value_steps_reference_becomes_the_list_itself_with_its_own_positions()
    {
        var (arguments, errors) = Load("s:", "  - checkout", "  - run: make");
        var steps = ((MapNode)arguments).Get("s")!;
        var (body, _) = Load("steps:", "  - steps: << parameters.s >>");

        var result = (MapNode)Template.Substitute(body, Scope(("s", steps)), Site, errors, Budget(errors));

        var splice = (MapNode)((ListNode)result.Get("steps")!).Items[0];
        var list = Assert.IsType<ListNode>(splice.Get("steps"));
        Assert.Same(((ListNode)steps).Items[1], list.Items[1]);
        Assert.Equal(new Position(2, 12), list.Start);
        Assert.Empty(errors.ToList());
    }

    [Fact]
    public void A_whole_value_executor_reference_becomes_the_map()
    {
        var (arguments, errors) = Load("e: {name: xenial, some-value: foobar}");
        var (body, _) = Load("executor: << parameters.e >>");

        var result = (MapNode)Template.Substitute(body, Scope(("e", ((MapNode)arguments).Get("e")!)), null, errors, Budget(errors));

        var executor = Assert.IsType<MapNode>(result.Get("executor"));
        Assert.Equal("xenial", executor.Get("name")!.ToString());
        Assert.Equal(new Position(1, 11), executor.Start);
    }

    [Theory]
    [InlineData("<<parameters.v>>")]
    [InlineData("<<   parameters.v   >>")]
    [InlineData("'  << parameters.v >>  '")]
    public void White_space_inside_and_around_a_whole_reference_is_allowed(string written)
    {
        var (body, errors) = Load($"x: {written}");

        var result = (MapNode)Template.Substitute(body, Scope(("v", Plain("7"))), null, errors, Budget(errors));

        Assert.Equal(("7", true), (((ScalarNode)result.Get("x")!).Value, ((ScalarNode)result.Get("x")!).IsPlain));
    }

    [Fact]
    public void Inside_a_larger_string_references_are_interpolated_into_a_string()
    {
        var (body, errors) = Load(
            "image: cimg/node:<<parameters.version>>",
            "key: v1-<< parameters.target >>-<< pipeline.git.branch >>-<< parameters.version >>",
            "n: << parameters.count >>0");
        var scope = Scope(("version", Quoted("18.1")), ("target", Quoted("x86")), ("count", Plain("1")));

        var result = (MapNode)Template.Substitute(body, scope, null, errors, Budget(errors));

        Assert.Empty(errors.ToList());
        Assert.Equal("cimg/node:18.1", result.Get("image")!.ToString());
        Assert.Equal("v1-x86-main-18.1", result.Get("key")!.ToString());
        var number = (ScalarNode)result.Get("n")!;
        Assert.Equal(("10", false), (number.Value, number.IsPlain));
    }

    [Fact]
    public void A_list_inside_a_string_is_an_error_and_stays_as_written()
    {
        var (body, errors) = Load("run: echo << parameters.s >>");
        var list = NodeFactory.List(new Position(9, 9), [Plain("checkout")]);

        var result = (MapNode)Template.Substitute(body, Scope(("s", list)), null, errors, Budget(errors));

        var error = Assert.Single(errors.ToList());
        Assert.Equal((1, 11, "parameters.s is a list; it can only be used as a whole value, not inside a string"), (error.Line, error.Column, error.Message));
        Assert.Equal("echo << parameters.s >>", result.Get("run")!.ToString());
    }

    [Fact]
    public void An_undeclared_parameter_is_reported_at_its_column_with_the_documented_words()
    {
        var (body, errors) = Load("steps:", "  - run: echo << parameters.message >> and << parameters.to >>");

        var result = Template.Substitute(body, Scope(("to", Quoted("Lev"))), null, errors, Budget(errors));

        var error = Assert.Single(errors.ToList());
        Assert.Equal((2, 15, "Arguments referenced without declared parameters: parameters.message"), (error.Line, error.Column, error.Message));
        var run = ((MapNode)((ListNode)((MapNode)result).Get("steps")!).Items[0]).Get("run")!;
        Assert.Equal("echo << parameters.message >> and Lev", run.ToString());
    }

    [Fact]
    public void An_element_without_parameters_has_none_to_reference()
    {
        var (body, errors) = Load("x: << parameters.x >>");
        var scope = new TemplateScope { Element = "job 'build'", PipelineValues = Values(), PipelineParameters = Empty() };

        var result = (MapNode)Template.Substitute(body, scope, null, errors, Budget(errors));

        Assert.Equal("Arguments referenced without declared parameters: parameters.x", Assert.Single(errors.ToList()).Message);
        Assert.Equal("<< parameters.x >>", result.Get("x")!.ToString());
    }

    [Fact]
    public void Pipeline_parameters_are_substituted_outside_orbs()
    {
        var (body, errors) = Load("when: << pipeline.parameters.deploy >>", "name: deploy-<< pipeline.parameters.region >>");
        var scope = new TemplateScope
        {
            Element = "workflow 'main'",
            PipelineValues = Values(),
            PipelineParameters = new Dictionary<string, Node> { ["deploy"] = Plain("true"), ["region"] = Quoted("eu") },
        };

        var result = (MapNode)Template.Substitute(body, scope, null, errors, Budget(errors));

        Assert.Empty(errors.ToList());
        Assert.True(((ScalarNode)result.Get("when")!).IsPlain);
        Assert.Equal("deploy-eu", result.Get("name")!.ToString());
    }

    [Fact]
    public void Pipeline_parameters_are_not_in_scope_inside_an_orb()
    {
        // PV: "Pipeline parameters are not in scope in the body of orbs, even inline orbs" (§A1.2).
        var (body, errors) = Load("run: echo << pipeline.parameters.region >>");
        var scope = new TemplateScope { Element = "command 'orb/say'", PipelineValues = Values(), PipelineParameters = null };

        Template.Substitute(body, scope, null, errors, Budget(errors));

        var error = Assert.Single(errors.ToList());
        Assert.Equal(
            (1, 11, "Arguments referenced without declared parameters: pipeline.parameters.region (pipeline parameters are not in scope inside orbs)"),
            (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void An_undeclared_pipeline_parameter_is_reported()
    {
        var (body, errors) = Load("x: << pipeline.parameters.nope >>");

        Template.Substitute(body, Scope(), null, errors, Budget(errors));

        Assert.Equal("Arguments referenced without declared parameters: pipeline.parameters.nope", Assert.Single(errors.ToList()).Message);
    }

    [Fact]
    public void Matrix_values_are_known_only_in_a_matrix()
    {
        var (body, errors) = Load("name: build-<< matrix.version >>", "other: << matrix.os >>");
        var inMatrix = new TemplateScope
        {
            Element = "workflow 'main'",
            PipelineValues = Values(),
            Matrix = new Dictionary<string, Node> { ["version"] = Quoted("0.1") },
        };

        var result = (MapNode)Template.Substitute(body, inMatrix, null, errors, Budget(errors));
        Template.Substitute(body, Scope(), null, errors, Budget(errors));

        Assert.Equal("build-0.1", result.Get("name")!.ToString());
        var all = errors.ToList();
        Assert.Contains(all, e => (e.Line, e.Column) == (2, 8) && e.Message == "matrix.os is not a parameter of this matrix (its parameters are version)");
        Assert.Contains(all, e => (e.Line, e.Column) == (1, 13) && e.Message.StartsWith("matrix.version is used outside a matrix", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_pipeline_value_is_an_error()
    {
        var (body, errors) = Load("x: << pipeline.foo >>");

        Template.Substitute(body, Scope(), null, errors, Budget(errors));

        Assert.Equal("unknown pipeline value pipeline.foo", Assert.Single(errors.ToList()).Message);
    }

    [Fact]
    public void A_template_in_a_key_is_an_error_and_the_key_is_not_substituted()
    {
        var (body, errors) = Load("environment:", "  << parameters.name >>: value", "  OK_<< parameters.name >>: value");

        var result = (MapNode)Template.Substitute(body, Scope(("name", Quoted("X"))), null, errors, Budget(errors));

        var all = errors.ToList();
        Assert.Equal(2, all.Count);
        Assert.Equal((2, 3, "a parameter reference cannot be a key name ('<< parameters.name >>')"), (all[0].Line, all[0].Column, all[0].Message));
        Assert.Equal((3, 6), (all[1].Line, all[1].Column));
        Assert.True(((MapNode)result.Get("environment")!).Has("<< parameters.name >>"));
    }

    [Fact]
    public void Every_rebuilt_node_comes_via_the_call_site_and_a_bound_value_keeps_its_own()
    {
        var callerSite = new CallSite("job 'build'", new Position(3, 5), null);
        var bound = NodeFactory.List(new Position(30, 7), [NodeFactory.Scalar(new Position(30, 9), "checkout", plain: true, callerSite)], callerSite);
        var (body, errors) = Load("steps:", "  - run: {name: x, command: echo hi}", "  - steps: << parameters.s >>", "  - << parameters.word >>");

        var result = Template.Substitute(body, Scope(("s", bound), ("word", Quoted("checkout"))), Site, errors, Budget(errors));

        Assert.Empty(errors.ToList());
        var spliced = ((MapNode)((ListNode)((MapNode)result).Get("steps")!).Items[1]).Get("steps")!;
        Assert.Same(callerSite, spliced.Via);
        var fromBody = AllNodes(result).Where(node => !ReferenceEquals(node, spliced) && !((ListNode)spliced).Items.Contains(node)).ToList();
        Assert.Equal(13, fromBody.Count);
        Assert.All(fromBody, node => Assert.Same(Site, node.Via));
    }

    [Fact]
    public void Errors_name_the_call_site()
    {
        var (body, errors) = Load("run: echo << parameters.nope >>");

        Template.Substitute(body, Scope(), Site, errors, Budget(errors));

        Assert.Equal("Arguments referenced without declared parameters: parameters.nope (in command 'say' invoked at 40:9)", Assert.Single(errors.ToList()).Message);
    }

    [Fact]
    public void Without_a_call_site_what_holds_no_template_is_returned_as_it_is_and_nothing_is_changed_in_place()
    {
        var (body, errors) = Load("a: {b: [1, 2, {c: d}]}", "e: << parameters.x >>");
        var map = (MapNode)body;

        var result = (MapNode)Template.Substitute(body, Scope(("x", Quoted("y"))), null, errors, Budget(errors));

        Assert.Same(map.Get("a"), result.Get("a"));
        Assert.Equal("y", result.Get("e")!.ToString());
        Assert.Equal("<< parameters.x >>", map.Get("e")!.ToString());
        Assert.Same(map.Get("a"), Template.Substitute(map.Get("a")!, Scope(), null, errors, Budget(errors)));
    }

    [Fact]
    public void A_huge_steps_list_duplicated_many_times_exhausts_the_budget_once()
    {
        var errors = new ErrorList("config.yml");
        var steps = NodeFactory.List(Position.Start, [.. Enumerable.Range(0, 5_000).Select(i => (Node)Plain($"step-{i}"))]);
        var body = NodeFactory.List(Position.Start, [.. Enumerable.Range(0, 1_000).Select(i => (Node)NodeFactory.Map(new Position(i + 1, 3), [NodeFactory.Entry(new Position(i + 1, 5), "steps", NodeFactory.Scalar(new Position(i + 1, 12), "<< parameters.s >>", plain: true))]))]);
        var budget = new ExpansionBudget(errors);

        var result = (ListNode)Template.Substitute(body, Scope(("s", steps)), Site, errors, budget);

        Assert.True(budget.IsExhausted);
        var error = Assert.Single(errors.ToList());
        Assert.StartsWith("the config expands to more than 1000000 nodes", error.Message, StringComparison.Ordinal);
        Assert.Equal(1_000, result.Items.Count);
        Assert.IsType<ScalarNode>(((MapNode)result.Items[^1]).Get("steps"));
    }

    [Fact]
    public void Render_resolves_a_name_and_returns_null_on_an_error()
    {
        var errors = new ErrorList("config.yml");
        var scope = new TemplateScope
        {
            Element = "workflow 'main'",
            PipelineValues = Values(),
            Matrix = new Dictionary<string, Node> { ["v"] = Quoted("0.1"), ["os"] = Plain("linux") },
        };

        Assert.Equal("build-0.1-linux", Template.Render(Plain("build-<< matrix.v >>-<<matrix.os>>"), scope, errors));
        Assert.Equal("0.1", Template.Render(Plain("<< matrix.v >>"), scope, errors));
        Assert.Equal("plain", Template.Render(Plain("plain"), scope, errors));
        Assert.Empty(errors.ToList());
        Assert.Null(Template.Render(Plain("build-<< matrix.nope >>"), scope, errors));
        Assert.Single(errors.ToList());
    }

    private static (Node Node, ErrorList Errors) Load(params string[] lines)
    {
        var errors = new ErrorList("config.yml");
        var node = YamlLoader.Load(string.Join("\n", lines) + "\n", errors);
        Assert.Empty(errors.ToList());
        return (node!, errors);
    }

    private static ExpansionBudget Budget(ErrorList errors) => new(errors);

    private static ScalarNode Plain(string text) => NodeFactory.Scalar(new Position(99, 1), text, plain: true);

    private static ScalarNode Quoted(string text) => NodeFactory.Scalar(new Position(99, 1), text, plain: false);

    private static Dictionary<string, Node> Empty() => new(StringComparer.Ordinal);

    private static IReadOnlyDictionary<string, Node> Values() =>
        PipelineValueTable.Build(new PipelineValues { Branch = "main" }, Position.Start);

    private static TemplateScope Scope(params (string Name, Node Value)[] parameters) => new()
    {
        Element = "command 'say'",
        Parameters = parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal),
        PipelineParameters = Empty(),
        PipelineValues = Values(),
    };

    private static IEnumerable<Node> AllNodes(Node node)
    {
        yield return node;
        switch (node)
        {
            case ListNode list:
                foreach (var child in list.Items.SelectMany(AllNodes))
                {
                    yield return child;
                }

                break;
            case MapNode map:
                foreach (var entry in map.Entries)
                {
                    yield return entry.Key;
                    foreach (var child in AllNodes(entry.Value))
                    {
                        yield return child;
                    }
                }

                break;
        }
    }
}
