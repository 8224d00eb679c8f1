using Porthole.Pipeline.CircleCi.Compiler;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary>Binding an invocation's arguments to declared parameters: the type checks and errors of dialects.md §A1.1 and §A1.2.</summary>
public sealed class ParameterBinderTests
{
    private const string Declarations = """
        parameters:
          to: {type: string, default: world}
          loud: {type: boolean, default: false}
          times: {type: integer, default: 1}
          size: {type: enum, enum: [small, large], default: small}
          variable: {type: env_var_name, default: GREETING}
          extra: {type: steps, default: []}
          runner: {type: executor, default: base}
          needed: {type: string}
        """;

    [Fact]
    public void Defaults_fill_what_is_not_passed_and_arguments_win()
    {
        var (bound, errors) = Bind("needed: x", "to: Lev");

        Assert.Empty(errors.ToList());
        AssertScalar(bound["to"], "Lev", plain: false);
        AssertScalar(bound["loud"], "false", plain: true);
        AssertScalar(bound["times"], "1", plain: true);
        Assert.Equal(8, bound.Count);
    }

    [Fact]
    public void A_missing_required_argument_is_an_error_at_the_invocation()
    {
        var (bound, errors) = Bind("to: Lev");

        var error = Assert.Single(errors.ToList());
        Assert.Equal((1, 1, "missing required argument 'needed' of command 'say'"), (error.Line, error.Column, error.Message));
        Assert.False(bound.ContainsKey("needed"));
    }

    [Fact]
    public void Undeclared_arguments_are_one_error_at_the_first()
    {
        var (_, errors) = Bind("needed: x", "colour: red", "to: Lev", "shape: round");

        var error = Assert.Single(errors.ToList());
        Assert.Equal((3, 3), (error.Line, error.Column));
        Assert.StartsWith("Unexpected argument(s): colour, shape for command 'say'; its parameters are extra, loud, needed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_element_without_parameters_takes_no_arguments()
    {
        var errors = new ErrorList("config.yml");
        var invocation = (MapNode)YamlLoader.Load("say:\n  to: Lev\n", errors)!;
        var arguments = ((MapNode)invocation.Get("say")!).Entries;

        var bound = ParameterBinder.Bind(new Dictionary<string, ParameterDeclaration>(), arguments, invocation, "job 'build'", errors);

        Assert.Empty(bound);
        var error = Assert.Single(errors.ToList());
        Assert.Equal((2, 3, "Unexpected argument(s): to for job 'build'; it declares no parameters"), (error.Line, error.Column, error.Message));
    }

    [Theory]
    [InlineData("true", "true")]
    [InlineData("True", "true")]
    [InlineData("yes", "true")]
    [InlineData("ON", "true")]
    [InlineData("false", "false")]
    [InlineData("No", "false")]
    [InlineData("off", "false")]
    public void A_boolean_accepts_the_yaml_1_1_words_and_becomes_plain_true_or_false(string written, string value)
    {
        var (bound, errors) = Bind("needed: x", $"loud: {written}");

        Assert.Empty(errors.ToList());
        AssertScalar(bound["loud"], value, plain: true);
    }

    [Theory]
    [InlineData("maybe", "found 'maybe'")]
    [InlineData("\"true\"", "found the string 'true'")]
    [InlineData("1", "found '1'")]
    [InlineData("[true]", "found a list")]
    public void A_boolean_refuses_anything_else(string written, string found)
    {
        var (bound, errors) = Bind("needed: x", $"loud: {written}");

        var error = Assert.Single(errors.ToList());
        Assert.Equal((3, 9), (error.Line, error.Column));
        Assert.Equal($"argument 'loud' of command 'say' must be a boolean (true/false, yes/no, on/off), {found}", error.Message);
        Assert.False(bound.ContainsKey("loud"));
    }

    [Theory]
    [InlineData("3", "3")]
    [InlineData("-2", "-2")]
    [InlineData("+4", "4")]
    [InlineData("1_000", "1000")]
    public void An_integer_becomes_plain_digits(string written, string value)
    {
        var (bound, errors) = Bind("needed: x", $"times: {written}");

        Assert.Empty(errors.ToList());
        AssertScalar(bound["times"], value, plain: true);
    }

    [Theory]
    [InlineData("3.5")]
    [InlineData("three")]
    [InlineData("'3'")]
    [InlineData("99999999999999999999")]
    public void An_integer_refuses_anything_else(string written)
    {
        var (_, errors) = Bind("needed: x", $"times: {written}");

        var error = Assert.Single(errors.ToList());
        Assert.Equal((3, 10), (error.Line, error.Column));
        Assert.StartsWith("argument 'times' of command 'say' must be an integer, found", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Lev", "Lev")]
    [InlineData("\"true\"", "true")]
    [InlineData("'3.8'", "3.8")]
    [InlineData("v1.2.3", "v1.2.3")]
    [InlineData("''", "")]
    [InlineData("", "")]
    public void A_string_becomes_a_quoted_scalar_that_no_reader_re_types(string written, string value)
    {
        var (bound, errors) = Bind("needed: x", $"to: {written}");

        Assert.Empty(errors.ToList());
        AssertScalar(bound["to"], value, plain: false);
    }

    [Theory]
    [InlineData("true", "a boolean")]
    [InlineData("yes", "a boolean")]
    [InlineData("Off", "a boolean")]
    [InlineData("3.8", "a number")]
    [InlineData("42", "a number")]
    [InlineData("1e3", "a number")]
    [InlineData(".inf", "a number")]
    public void An_unquoted_string_that_yaml_reads_as_a_boolean_or_a_number_is_a_type_error(string written, string reading)
    {
        // §A1.1: "using an unquoted string value that YAML interprets as a boolean will result in a type error".
        var (_, errors) = Bind("needed: x", $"to: {written}");

        var error = Assert.Single(errors.ToList());
        Assert.Equal((3, 7), (error.Line, error.Column));
        Assert.Equal(
            $"argument 'to' of command 'say' must be a string, found '{written}', which YAML reads as {reading}; quote it (\"{written}\") to pass it as a string",
            error.Message);
    }

    [Fact]
    public void A_string_refuses_a_list_or_a_map()
    {
        var (_, errors) = Bind("needed: x", "to: [a]", "variable: {a: b}");

        Assert.Contains(errors.ToList(), e => e.Message == "argument 'to' of command 'say' must be a string, found a list");
        Assert.Contains(errors.ToList(), e => e.Line == 4 && e.Message.StartsWith("argument 'variable' of command 'say' must be an environment variable name", StringComparison.Ordinal));
    }

    [Fact]
    public void An_enum_value_must_be_in_the_list()
    {
        var (good, goodErrors) = Bind("needed: x", "size: large");
        var (_, errors) = Bind("needed: x", "size: medium");

        Assert.Empty(goodErrors.ToList());
        AssertScalar(good["size"], "large", plain: false);
        var error = Assert.Single(errors.ToList());
        Assert.Equal((3, 9, "argument 'size' of command 'say' must be one of small, large; found 'medium'"), (error.Line, error.Column, error.Message));
    }

    [Theory]
    [InlineData("AWS_ACCESS_KEY_ID", true)]
    [InlineData("_private", true)]
    [InlineData("x9", true)]
    [InlineData("9x", false)]
    [InlineData("MY-VAR", false)]
    [InlineData("'A B'", false)]
    public void An_env_var_name_is_a_posix_name(string written, bool good)
    {
        var (bound, errors) = Bind("needed: x", $"variable: {written}");

        if (good)
        {
            Assert.Empty(errors.ToList());
            AssertScalar(bound["variable"], written, plain: false);
        }
        else
        {
            var error = Assert.Single(errors.ToList());
            Assert.StartsWith("argument 'variable' of command 'say' must be an environment variable name (letters, digits and _, not starting with a digit)", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Steps_stay_a_list_and_a_single_step_becomes_a_one_item_list()
    {
        var (list, listErrors) = Bind("needed: x", "extra: [checkout, {run: make}]");
        var (single, singleErrors) = Bind("needed: x", "extra:", "    run: make");
        var (named, namedErrors) = Bind("needed: x", "extra: checkout");

        Assert.Empty(listErrors.ToList().Concat(singleErrors.ToList()).Concat(namedErrors.ToList()));
        Assert.Equal(2, Assert.IsType<ListNode>(list["extra"]).Items.Count);
        var wrapped = Assert.IsType<ListNode>(single["extra"]);
        var step = Assert.IsType<MapNode>(Assert.Single(wrapped.Items));
        Assert.True(step.Has("run"));
        Assert.Equal(new Position(4, 7), wrapped.Start);
        AssertScalar(Assert.Single(Assert.IsType<ListNode>(named["extra"]).Items), "checkout", plain: true);
    }

    [Fact]
    public void Steps_refuse_a_list_inside_the_list()
    {
        var (_, errors) = Bind("needed: x", "extra: [checkout, [run]]");

        var error = Assert.Single(errors.ToList());
        Assert.Equal((3, 21), (error.Line, error.Column));
        Assert.StartsWith("argument 'extra' of command 'say' must be a list of steps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_executor_is_a_name_or_a_map_with_name()
    {
        var (byName, byNameErrors) = Bind("needed: x", "runner: xenial");
        var (byMap, byMapErrors) = Bind("needed: x", "runner: {name: xenial, some-value: foobar}");
        var (_, nameless) = Bind("needed: x", "runner: {tag: x}");
        var (_, listed) = Bind("needed: x", "runner: [xenial]");

        Assert.Empty(byNameErrors.ToList().Concat(byMapErrors.ToList()));
        AssertScalar(byName["runner"], "xenial", plain: true);
        Assert.Equal("foobar", ((MapNode)byMap["runner"]).Get("some-value")!.ToString());
        Assert.Contains("must name its executor: a map with name:", Assert.Single(nameless.ToList()).Message, StringComparison.Ordinal);
        Assert.Contains("must be an executor: its name or a map with name:, found a list", Assert.Single(listed.ToList()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bound_value_is_where_the_argument_is_written_and_a_default_where_the_default_is()
    {
        var (bound, _) = Bind("needed: x", "to: Lev");

        Assert.Equal(new Position(3, 7), bound["to"].Start);
        Assert.Equal(new Position(6, 34), bound["loud"].Start);
    }

    [Fact]
    public void A_wrongly_typed_argument_is_not_also_reported_missing()
    {
        var (_, errors) = Bind("needed: [x]");

        var error = Assert.Single(errors.ToList());
        Assert.Equal("argument 'needed' of command 'say' must be a string, found a list", error.Message);
    }

    [Fact]
    public void Pipeline_parameters_take_the_given_text_over_the_default()
    {
        var (declared, root, errors) = Pipeline("deploy: {type: boolean, default: false}", "region: {type: string, default: eu}", "shards: {type: integer, default: 1}");

        var bound = ParameterBinder.BindPipeline(declared, Given(("deploy", "true"), ("shards", "4")), root, errors);

        Assert.Empty(errors.ToList());
        AssertScalar(bound["deploy"], "true", plain: true);
        AssertScalar(bound["shards"], "4", plain: true);
        AssertScalar(bound["region"], "eu", plain: false);
    }

    [Fact]
    public void A_given_pipeline_string_stays_a_string()
    {
        var (declared, root, errors) = Pipeline("region: {type: string, default: eu}");

        var bound = ParameterBinder.BindPipeline(declared, Given(("region", "true")), root, errors);

        Assert.Empty(errors.ToList());
        AssertScalar(bound["region"], "true", plain: false);
    }

    [Fact]
    public void An_undeclared_pipeline_parameter_is_unexpected()
    {
        // §A0 step 2: an undeclared trigger parameter → "Unexpected argument(s)" (PV).
        var (declared, root, errors) = Pipeline("region: {type: string, default: eu}");

        ParameterBinder.BindPipeline(declared, Given(("zone", "a"), ("colour", "red")), root, errors);

        var error = Assert.Single(errors.ToList());
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Equal("Unexpected argument(s): colour, zone for the pipeline; the pipeline parameters are region", error.Message);
    }

    [Theory]
    [InlineData("deploy", "maybe", "the value given for pipeline parameter 'deploy' must be a boolean (true or false), found 'maybe'")]
    [InlineData("shards", "many", "the value given for pipeline parameter 'shards' must be an integer, found 'many'")]
    [InlineData("size", "huge", "the value given for pipeline parameter 'size' must be one of s, m; found 'huge'")]
    public void Given_pipeline_values_are_type_checked(string name, string text, string message)
    {
        var (declared, root, errors) = Pipeline(
            "deploy: {type: boolean, default: false}",
            "shards: {type: integer, default: 1}",
            "size: {type: enum, enum: [s, m], default: s}");

        var bound = ParameterBinder.BindPipeline(declared, Given((name, text)), root, errors);

        Assert.Equal(message, Assert.Single(errors.ToList()).Message);
        Assert.False(bound.ContainsKey(name));
    }

    private static (IReadOnlyDictionary<string, Node> Bound, ErrorList Errors) Bind(params string[] arguments)
    {
        var errors = new ErrorList("config.yml");
        var text = "say:\n" + string.Concat(arguments.Select(line => "  " + line + "\n")) + Declarations + "\n";
        var root = (MapNode)YamlLoader.Load(text, errors)!;
        Assert.Empty(errors.ToList());
        var declared = ParameterDeclarations.Read(root.Get("parameters")!, "command 'say'", pipeline: false, isJob: false, errors);
        Assert.Empty(errors.ToList());
        IReadOnlyList<MapEntry> given = root.Get("say") is MapNode map ? map.Entries : [];
        return (ParameterBinder.Bind(declared, given, root.Entries[0].Key, "command 'say'", errors), errors);
    }

    private static (IReadOnlyDictionary<string, ParameterDeclaration> Declared, Node Root, ErrorList Errors) Pipeline(params string[] lines)
    {
        var errors = new ErrorList("config.yml");
        var root = (MapNode)YamlLoader.Load("parameters:\n" + string.Concat(lines.Select(line => "  " + line + "\n")), errors)!;
        var declared = ParameterDeclarations.Read(root.Get("parameters")!, "the pipeline", pipeline: true, isJob: false, errors);
        Assert.Empty(errors.ToList());
        return (declared, root.Entries[0].Key, errors);
    }

    private static Dictionary<string, string> Given(params (string Name, string Text)[] values) =>
        values.ToDictionary(value => value.Name, value => value.Text, StringComparer.Ordinal);

    private static void AssertScalar(Node? node, string value, bool plain)
    {
        var scalar = Assert.IsType<ScalarNode>(node);
        Assert.Equal(value, scalar.Value);
        Assert.Equal(plain, scalar.IsPlain);
    }
}
