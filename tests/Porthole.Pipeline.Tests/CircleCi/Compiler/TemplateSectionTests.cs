using Porthole.Pipeline.CircleCi.Compiler;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary>Mustache sections, the <c>\&lt;&lt;</c> escape and literal <c>&lt;&lt;</c> in 2.1 configs (dialects.md §A1.2).</summary>
public sealed class TemplateSectionTests
{
    [Theory]
    [InlineData("true", true, "ls  -a ")]
    [InlineData("false", true, "ls ")]
    [InlineData("", false, "ls ")]
    [InlineData("false", false, "ls  -a ")]
    [InlineData("0", true, "ls ")]
    public void A_section_shows_its_text_when_the_value_is_truthy(string value, bool plain, string expected)
    {
        // PREV parameters.md: ls <<# parameters.all >> -a <</ parameters.all >>; truthiness as §A3 (a quoted "false" is a string, so truthy).
        var (result, errors) = Substitute("ls <<# parameters.all >> -a <</ parameters.all >>", ("all", Scalar(value, plain)));

        Assert.Empty(errors.ToList());
        Assert.Equal(expected, result.Value);
        Assert.False(result.IsPlain);
    }

    [Theory]
    [InlineData("true", "bundle install")]
    [InlineData("false", "bundle install --frozen")]
    public void An_inverted_section_shows_its_text_when_the_value_is_falsy(string value, string expected)
    {
        var (result, _) = Substitute("bundle install<<^ parameters.dev >> --frozen<</ parameters.dev >>", ("dev", Scalar(value, true)));

        Assert.Equal(expected, result.Value);
    }

    [Theory]
    [InlineData("true", "a", "[x-a]")]
    [InlineData("true", "", "[x]")]
    [InlineData("false", "a", "[]")]
    public void Sections_nest(string outer, string inner, string expected)
    {
        var (result, errors) = Substitute(
            "[<<# parameters.o >>x<<# parameters.i >>-<< parameters.i >><</ parameters.i >><</ parameters.o >>]",
            ("o", Scalar(outer, true)),
            ("i", Scalar(inner, false)));

        Assert.Empty(errors.ToList());
        Assert.Equal(expected, result.Value);
    }

    [Fact]
    public void Sections_work_with_matrix_and_pipeline_parameters()
    {
        var errors = new ErrorList("config.yml");
        var scope = new TemplateScope
        {
            Element = "workflow 'main'",
            PipelineValues = PipelineValueTable.Build(PipelineValues.None, Position.Start),
            PipelineParameters = new Dictionary<string, Node> { ["nightly"] = Scalar("false", true) },
            Matrix = new Dictionary<string, Node> { ["rails"] = Scalar("7.0", false), ["edge"] = Scalar("true", true) },
        };
        var name = Scalar("test-<< matrix.rails >><<# matrix.edge >>-edge<</ matrix.edge >><<^ pipeline.parameters.nightly >>-day<</ pipeline.parameters.nightly >>", true);

        Assert.Equal("test-7.0-edge-day", Template.Render(name, scope, errors));
        Assert.Empty(errors.ToList());
    }

    [Fact]
    public void An_empty_steps_list_is_falsy_in_a_section()
    {
        var empty = NodeFactory.List(Position.Start, []);

        var (result, _) = Substitute("<<^ parameters.s >>none<</ parameters.s >>", ("s", empty));

        Assert.Equal("none", result.Value);
    }

    [Fact]
    public void A_section_never_closed_is_an_error_and_the_text_stays_as_written()
    {
        var (result, errors) = Substitute("ls <<# parameters.all >> -a", ("all", Scalar("true", true)));

        var error = Assert.Single(errors.ToList());
        Assert.Equal((1, 4), (error.Line, error.Column));
        Assert.Equal("the section <<# parameters.all >> is never closed: end it with <</ parameters.all >>", error.Message);
        Assert.Equal("ls <<# parameters.all >> -a", result.Value);
    }

    [Fact]
    public void A_mismatched_closing_tag_is_an_error()
    {
        var (_, errors) = Substitute("<<# parameters.a >>x<</ parameters.b >>", ("a", Scalar("true", true)), ("b", Scalar("true", true)));

        var error = Assert.Single(errors.ToList());
        Assert.Equal((1, 21), (error.Line, error.Column));
        Assert.Equal("<</ parameters.b >> does not close the section <<# parameters.a >> opened before it", error.Message);
    }

    [Fact]
    public void A_closing_tag_without_a_section_is_an_error()
    {
        var (_, errors) = Substitute("x <</ parameters.a >>", ("a", Scalar("true", true)));

        Assert.StartsWith("<</ parameters.a >> closes no section", Assert.Single(errors.ToList()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void References_in_a_hidden_section_are_still_checked()
    {
        var (result, errors) = Substitute("a<<# parameters.off >><< parameters.nope >><</ parameters.off >>", ("off", Scalar("false", true)));

        Assert.Equal("a", result.Value);
        Assert.Equal("Arguments referenced without declared parameters: parameters.nope", Assert.Single(errors.ToList()).Message);
    }

    [Fact]
    public void An_escaped_tag_is_a_literal_without_a_warning()
    {
        var (result, errors) = Substitute(@"cat \<<EOF > f; echo \<< parameters.x >> << parameters.x >>", ("x", Scalar("1", true)));

        Assert.Equal("cat <<EOF > f; echo << parameters.x >> 1", result.Value);
        Assert.Empty(errors.ToList());
        Assert.Empty(errors.Warnings());
    }

    [Fact]
    public void A_bare_heredoc_stays_as_written_with_one_warning()
    {
        var errors = new ErrorList("config.yml");
        var body = YamlLoader.Load("steps:\n  - run: |\n      cat <<EOF > a\n      x\n      EOF\n      cat <<-END > b\n      END\n", errors)!;

        var result = Template.Substitute(body, Scope(), null, errors, new ExpansionBudget(errors));

        Assert.Same(body, result);
        Assert.Empty(errors.ToList());
        var warning = Assert.Single(errors.Warnings());
        Assert.Equal((2, 10), (warning.Line, warning.Column));
        Assert.StartsWith(@"a literal << in a 2.1 config: CircleCI refuses an unclosed << tag; write \<<", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_heredoc_in_a_command_invoked_many_times_is_warned_about_once()
    {
        var errors = new ErrorList("config.yml");
        var body = YamlLoader.Load("run: cat <<EOF\n", errors)!;

        for (var line = 1; line <= 3; line++)
        {
            Template.Substitute(body, Scope(), new CallSite("command 'say'", new Position(line, 5), null), errors, new ExpansionBudget(errors));
        }

        Assert.Equal((1, 10), (Assert.Single(errors.Warnings()).Line, errors.Warnings()[0].Column));
    }

    [Fact]
    public void The_yaml_merge_key_is_not_a_template()
    {
        var errors = new ErrorList("config.yml");
        var body = YamlLoader.Load("base: &base {image: x}\njob:\n  <<: *base\n  steps: [checkout]\n", errors)!;

        var result = (MapNode)Template.Substitute(body, Scope(), null, errors, new ExpansionBudget(errors));

        Assert.Same(body, result);
        Assert.Equal("x", ((MapNode)result.Get("job")!).Get("image")!.ToString());
        Assert.Empty(errors.ToList());
        Assert.Empty(errors.Warnings());
    }

    [Fact]
    public void A_heredoc_beside_a_reference_is_kept_while_the_reference_is_substituted()
    {
        var (result, errors) = Substitute("cat <<EOF > << parameters.file >>", ("file", Scalar("out.txt", false)));

        Assert.Equal("cat <<EOF > out.txt", result.Value);
        Assert.Equal((1, 5), (Assert.Single(errors.Warnings()).Line, errors.Warnings()[0].Column));
    }

    [Theory]
    [InlineData("echo << parameters.x", 6)]
    [InlineData("echo <<# parameters.x", 6)]
    [InlineData("a << parameters.x >> b << pipeline.git.branch", 24)]
    public void A_template_tag_without_its_closing_brackets_is_an_unclosed_tag(string text, int column)
    {
        var (result, errors) = Substitute(text, ("x", Scalar("1", true)));

        var error = Assert.Single(errors.ToList());
        Assert.Equal((1, column), (error.Line, error.Column));
        Assert.StartsWith("unclosed << tag", error.Message, StringComparison.Ordinal);
        Assert.Equal(text, result.Value);
    }

    [Fact]
    public void A_circleci_expression_is_refused_by_name()
    {
        var (_, errors) = Substitute("<< pipeline.git.branch == \"main\" and 10 or 1 >>");

        var error = Assert.Single(errors.ToList());
        Assert.Equal("CircleCI expressions", error.Feature);
        Assert.Contains("is not a parameter reference; CircleCI expressions", error.Message, StringComparison.Ordinal);
    }

    private static (ScalarNode Result, ErrorList Errors) Substitute(string text, params (string Name, Node Value)[] parameters)
    {
        var errors = new ErrorList("config.yml");
        var scalar = new ScalarNode(new Position(1, 1), text, true, null, isVerbatim: true);

        var result = Template.Substitute(scalar, Scope(parameters), null, errors, new ExpansionBudget(errors));

        return ((ScalarNode)result, errors);
    }

    private static ScalarNode Scalar(string value, bool plain) => NodeFactory.Scalar(new Position(50, 1), value, plain);

    private static TemplateScope Scope(params (string Name, Node Value)[] parameters) => new()
    {
        Element = "command 'say'",
        Parameters = parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal),
        PipelineParameters = new Dictionary<string, Node>(StringComparer.Ordinal),
        PipelineValues = PipelineValueTable.Build(new PipelineValues { Branch = "main" }, Position.Start),
    };
}
