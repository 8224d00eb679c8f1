using Porthole.Pipeline.CircleCi.Compiler;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary>Reading a <c>parameters:</c> map (dialects.md §A1.1; pipeline parameters §A0 step 2).</summary>
public sealed class ParameterDeclarationTests
{
    [Fact]
    public void Every_type_is_read_with_its_default_typed_and_no_default_means_required()
    {
        var (declared, errors) = Read(
            false,
            true,
            "word: {type: string, default: hello}",
            "flag: {type: boolean, default: yes}",
            "count: {type: integer, default: 3}",
            "colour: {type: enum, enum: [red, blue], default: blue}",
            "runner: {type: executor, default: small}",
            "extra: {type: steps, default: []}",
            "variable: {type: env_var_name, default: HOME}",
            "needed: {type: string, description: no default here}");

        Assert.Empty(errors.ToList());
        Assert.Equal(["word", "flag", "count", "colour", "runner", "extra", "variable", "needed"], declared.Keys);
        Assert.Equal(ParameterType.String, declared["word"].Type);
        Assert.Equal(ParameterType.EnvVarName, declared["variable"].Type);
        AssertScalar(declared["word"].Default, "hello", plain: false);
        AssertScalar(declared["flag"].Default, "true", plain: true);
        AssertScalar(declared["count"].Default, "3", plain: true);
        AssertScalar(declared["colour"].Default, "blue", plain: false);
        Assert.Equal(["red", "blue"], declared["colour"].Enum);
        Assert.Empty(Assert.IsType<ListNode>(declared["extra"].Default).Items);
        Assert.True(declared["needed"].IsRequired);
        Assert.False(declared["word"].IsRequired);
        Assert.Equal(new Position(9, 3), declared["needed"].Key.Start);
    }

    [Fact]
    public void An_empty_parameters_key_declares_nothing()
    {
        var errors = new ErrorList("config.yml");
        var node = YamlLoader.Load("parameters:\n", errors)!;

        var declared = ParameterDeclarations.Read(((MapNode)node).Get("parameters")!, "job 'build'", pipeline: false, isJob: true, errors);

        Assert.Empty(declared);
        Assert.Empty(errors.ToList());
    }

    [Fact]
    public void Parameters_that_are_not_a_map_are_an_error_at_the_value()
    {
        var errors = new ErrorList("config.yml");
        var node = (MapNode)YamlLoader.Load("parameters: [a, b]\n", errors)!;

        var declared = ParameterDeclarations.Read(node.Get("parameters")!, "command 'say'", pipeline: false, isJob: false, errors);

        Assert.Empty(declared);
        ErrorAt(errors, 1, 13, "the parameters of command 'say' must be a map");
    }

    [Theory]
    [InlineData("1st")]
    [InlineData("two words")]
    [InlineData("_hidden")]
    [InlineData("dot.ted")]
    public void A_name_must_start_with_a_letter_and_hold_letters_digits_underscores_and_dashes(string name)
    {
        var (declared, errors) = Read(false, false, $"'{name}': {{type: string}}", "good-name_2: {type: string}");

        Assert.Equal(["good-name_2"], declared.Keys);
        var error = Assert.Single(errors.ToList());
        Assert.Equal((2, 3), (error.Line, error.Column));
        Assert.Contains("must start with a letter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_type_is_an_error_listing_the_types()
    {
        var (declared, errors) = Read(false, false, "to: {default: world}");

        Assert.Empty(declared);
        ErrorAt(errors, 2, 3, "parameter 'to' of command 'say' has no type: (one of string, boolean, integer, enum, executor, steps, env_var_name)");
    }

    [Fact]
    public void An_unknown_type_is_an_error_at_the_type()
    {
        var (declared, errors) = Read(false, false, "to:", "  type: str");

        Assert.Empty(declared);
        ErrorAt(errors, 3, 11, "parameter 'to' of command 'say' has an unknown type 'str'; the types are string, boolean, integer, enum, executor, steps, env_var_name");
    }

    [Fact]
    public void An_unknown_key_is_an_error_and_the_parameter_is_kept()
    {
        var (declared, errors) = Read(false, false, "to:", "  type: string", "  defualt: world");

        Assert.True(declared["to"].IsRequired);
        ErrorAt(errors, 4, 5, "unknown key 'defualt' in parameter 'to' of command 'say'");
    }

    [Fact]
    public void An_enum_needs_a_non_empty_list()
    {
        var (_, missing) = Read(false, false, "size: {type: enum, default: s}");
        var (_, empty) = Read(false, false, "size: {type: enum, enum: [], default: s}");
        var (_, notList) = Read(false, false, "size: {type: enum, enum: s}");

        ErrorAt(missing, 2, 3, "is of type enum and needs an enum: list");
        Assert.Single(missing.ToList());
        ErrorAt(empty, 2, 28, "must be a non-empty list of strings, found a list");
        ErrorAt(notList, 2, 28, "must be a non-empty list of strings, found a string");
    }

    [Fact]
    public void An_enum_default_outside_the_list_makes_the_declaration_invalid()
    {
        // §A1.1: "the default must be in enum:, otherwise the declaration is invalid".
        var (_, errors) = Read(false, false, "size: {type: enum, enum: [small, large], default: medium}");

        ErrorAt(errors, 2, 53, "the default of parameter 'size' of command 'say' must be one of small, large; found 'medium'");
    }

    [Fact]
    public void Enum_is_only_for_enum_parameters()
    {
        var (_, errors) = Read(false, false, "size: {type: string, enum: [a]}");

        ErrorAt(errors, 2, 24, "enum: is only for type: enum");
    }

    [Fact]
    public void Defaults_are_type_checked_like_arguments()
    {
        var (declared, errors) = Read(
            false,
            false,
            "flag: {type: boolean, default: maybe}",
            "version: {type: string, default: 3.10}",
            "count: {type: integer, default: many}");

        ErrorAt(errors, 2, 34, "the default of parameter 'flag' of command 'say' must be a boolean (true/false, yes/no, on/off), found 'maybe'");
        ErrorAt(errors, 3, 36, "must be a string, found '3.10', which YAML reads as a number; quote it (\"3.10\")");
        ErrorAt(errors, 4, 35, "must be an integer, found 'many'");

        // Kept, with the default as written, so the uses are not reported again as undeclared.
        Assert.Equal(["flag", "version", "count"], declared.Keys);
        Assert.False(declared["flag"].IsRequired);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("requires")]
    [InlineData("context")]
    [InlineData("type")]
    [InlineData("filters")]
    [InlineData("matrix")]
    [InlineData("pre-steps")]
    [InlineData("post-steps")]
    public void A_job_may_not_name_a_parameter_after_an_invocation_key(string name)
    {
        var (job, jobErrors) = Read(false, true, $"{name}: {{type: string, default: x}}");
        var (command, commandErrors) = Read(false, false, $"{name}: {{type: string, default: x}}");

        Assert.Empty(job);
        ErrorAt(jobErrors, 2, 3, $"'{name}' is a key of a job's workflow invocation and cannot be a job parameter");
        Assert.Equal([name], command.Keys);
        Assert.Empty(commandErrors.ToList());
    }

    [Theory]
    [InlineData("steps")]
    [InlineData("executor")]
    [InlineData("env_var_name")]
    public void Pipeline_parameters_are_string_boolean_integer_or_enum(string type)
    {
        var (declared, errors) = Read(true, false, $"p: {{type: {type}, default: x}}");

        Assert.Empty(declared);
        ErrorAt(errors, 2, 13, $"pipeline parameter 'p' cannot be of type {type}; pipeline parameters are string, boolean, integer, enum");
    }

    [Fact]
    public void A_pipeline_parameter_must_have_a_default()
    {
        var (declared, errors) = Read(true, false, "deploy: {type: boolean}", "region: {type: string, default: eu}");

        ErrorAt(errors, 2, 3, "pipeline parameter 'deploy' needs a default");
        Assert.Single(errors.ToList());
        Assert.Equal(["deploy", "region"], declared.Keys);
    }

    [Fact]
    public void A_parameter_that_is_not_a_map_is_an_error_and_the_good_ones_are_kept()
    {
        var (declared, errors) = Read(false, false, "bad: string", "good: {type: string, default: ok}");

        Assert.Equal(["good"], declared.Keys);
        ErrorAt(errors, 2, 8, "parameter 'bad' of command 'say' must be a map with type:");
    }

    private static (IReadOnlyDictionary<string, ParameterDeclaration> Declared, ErrorList Errors) Read(bool pipeline, bool isJob, params string[] lines)
    {
        var errors = new ErrorList("config.yml");
        var text = "parameters:\n" + string.Concat(lines.Select(line => "  " + line + "\n"));
        var root = (MapNode)YamlLoader.Load(text, errors)!;
        Assert.Empty(errors.ToList());
        var element = isJob ? "job 'build'" : "command 'say'";
        return (ParameterDeclarations.Read(root.Get("parameters")!, element, pipeline, isJob, errors), errors);
    }

    private static void AssertScalar(Node? node, string value, bool plain)
    {
        var scalar = Assert.IsType<ScalarNode>(node);
        Assert.Equal(value, scalar.Value);
        Assert.Equal(plain, scalar.IsPlain);
    }

    private static void ErrorAt(ErrorList errors, int line, int column, string message)
    {
        var all = errors.ToList();
        Assert.True(
            all.Any(e => e.Line == line && e.Column == column && e.Message.Contains(message, StringComparison.Ordinal)),
            $"no error '{message}' at {line}:{column}; errors:\n" + string.Join("\n", all));
    }
}
