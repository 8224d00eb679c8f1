using Porthole.Pipeline.CircleCi.Compiler;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Tests.CircleCi.Compiler;

/// <summary><c>&lt;&lt; pipeline.X &gt;&gt;</c> values from the trigger (dialects.md §A1.6).</summary>
public sealed class TemplatePipelineValueTests
{
    private static readonly PipelineValues TagPush = new()
    {
        Id = "5034460f-c7c4-4c43-9457-de07e2029e7b",
        Number = 42,
        Tag = "v1.2.3",
        Revision = "0123456789abcdef0123456789abcdef01234567",
        DefaultBranch = "main",
        GitUrl = "https://github.com/acme/rocket",
        ProjectType = "github",
        TriggerSource = TriggerSources.Webhook,
    };

    [Fact]
    public void A_tag_pipeline_has_an_empty_branch()
    {
        var result = Render(TagPush, "branch=<< pipeline.git.branch >> tag=<< pipeline.git.tag >>");

        Assert.Equal("branch= tag=v1.2.3", result);
    }

    [Fact]
    public void Every_documented_value_is_there()
    {
        var table = PipelineValueTable.Build(TagPush, Position.Start);

        string[] documented =
        [
            "id", "number", "project.git_url", "project.type", "git.branch", "git.tag", "git.revision", "git.base_revision",
            "git.branch.is_default", "git.repo_url", "git.repo_owner", "git.repo_name", "trigger_source", "trigger.type",
            "schedule.name", "schedule.id",
        ];
        Assert.Equal(documented.Order(StringComparer.Ordinal), table.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("5034460f-c7c4-4c43-9457-de07e2029e7b", table["id"].ToString());
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", table["git.revision"].ToString());
        Assert.Equal("", table["git.base_revision"].ToString());
        Assert.All(table.Values, value => Assert.Equal(Position.Start, value.Start));
    }

    [Fact]
    public void Number_is_a_plain_integer_and_every_missing_value_an_empty_string()
    {
        var numbered = PipelineValueTable.Build(TagPush, new Position(3, 4));
        var none = PipelineValueTable.Build(PipelineValues.None, Position.Start);

        var number = (ScalarNode)numbered["number"];
        Assert.Equal(("42", true), (number.Value, number.IsPlain));
        Assert.All(none.Where(pair => pair.Key != "git.branch.is_default"), pair =>
        {
            var scalar = Assert.IsType<ScalarNode>(pair.Value);
            Assert.Equal(("", false), (scalar.Value, scalar.IsPlain));
        });
    }

    [Fact]
    public void A_whole_value_number_is_typed_for_parallelism()
    {
        var errors = new ErrorList("config.yml");
        var body = (MapNode)YamlLoader.Load("parallelism: << pipeline.number >>\n", errors)!;

        var result = (MapNode)Template.Substitute(body, Scope(TagPush), null, errors, new ExpansionBudget(errors));

        var value = (ScalarNode)result.Get("parallelism")!;
        Assert.Equal(("42", true), (value.Value, value.IsPlain));
    }

    [Theory]
    [InlineData("main", "main", "true")]
    [InlineData("feature", "main", "false")]
    [InlineData(null, "main", "false")]
    [InlineData("main", null, "false")]
    public void Is_default_is_a_plain_boolean(string? branch, string? defaultBranch, string expected)
    {
        var table = PipelineValueTable.Build(new PipelineValues { Branch = branch, DefaultBranch = defaultBranch }, Position.Start);

        var value = (ScalarNode)table["git.branch.is_default"];
        Assert.Equal((expected, true), (value.Value, value.IsPlain));
    }

    [Theory]
    [InlineData(TriggerSources.Webhook, "webhook", "webhook")]
    [InlineData(TriggerSources.Api, "api", "api")]
    [InlineData(TriggerSources.Schedule, "scheduled_pipeline", "schedule")]
    [InlineData(null, "", "")]
    public void Trigger_source_uses_circleci_words(string? source, string triggerSource, string triggerType)
    {
        var values = new PipelineValues { TriggerSource = source, ScheduleName = source == TriggerSources.Schedule ? "nightly" : null };

        Assert.Equal($"{triggerSource}|{triggerType}", Render(values, "<< pipeline.trigger_source >>|<< pipeline.trigger.type >>"));
        Assert.Equal(source == TriggerSources.Schedule ? "nightly" : "", Render(values, "<< pipeline.schedule.name >>"));
    }

    [Theory]
    [InlineData("https://github.com/acme/rocket", "https://github.com/acme/rocket acme rocket")]
    [InlineData("https://github.com/acme/rocket.git", "https://github.com/acme/rocket acme rocket")]
    [InlineData("git@github.com:acme/rocket.git", "https://github.com/acme/rocket acme rocket")]
    [InlineData("ssh://git@gitlab.example.com:2222/team/app.git", "https://gitlab.example.com/team/app team app")]
    [InlineData("/srv/git/rocket.git", "  ")]
    [InlineData("https://github.com/acme", "  ")]
    public void The_repository_values_come_from_a_hosted_git_url(string gitUrl, string expected)
    {
        var values = new PipelineValues { GitUrl = gitUrl };

        Assert.Equal(expected, Render(values, "<< pipeline.git.repo_url >> << pipeline.git.repo_owner >> << pipeline.git.repo_name >>"));
        Assert.Equal(gitUrl, Render(values, "<< pipeline.project.git_url >>"));
    }

    private static string? Render(PipelineValues values, string text)
    {
        var errors = new ErrorList("config.yml");
        var rendered = Template.Render(new ScalarNode(Position.Start, text, false, null), Scope(values), errors);
        Assert.Empty(errors.ToList());
        return rendered;
    }

    private static TemplateScope Scope(PipelineValues values) => new()
    {
        Element = "workflow 'main'",
        PipelineParameters = new Dictionary<string, Node>(StringComparer.Ordinal),
        PipelineValues = PipelineValueTable.Build(values, Position.Start),
    };
}
