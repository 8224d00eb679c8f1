using Porthole.Pipeline.Travis.Conditions;
using Porthole.Pipeline.Yaml;
using Porthole.Testing;

namespace Porthole.Pipeline.Tests.Travis.Conditions;

/// <summary>
/// The conditions real configs use (§B11 "Corpus": <c>type = cron</c>, <c>branch = master</c>, <c>repo = … AND tag IS
/// present</c>, <c>… IS NOT present</c>), evaluated against hand-made requests.
/// </summary>
public sealed class ConditionCorpusTests
{
    private static readonly ConditionData Push = new() { Type = "push", Repo = "koalaman/shellcheck", Branch = "master", Fork = false };

    [Fact]
    public void The_corpus_files_hold_the_conditions_tested_here()
    {
        var found = new[] { "doctrine__orm.yml", "koalaman__shellcheck.yml" }
            .SelectMany(file => Conditions(Path.Combine(CorpusFolder.Root, "travis", file)))
            .Order(StringComparer.Ordinal);
        Assert.Equal(["branch = master", "type = cron"], found);
    }

    [Fact]
    public void Type_is_cron_only_for_a_scheduled_build()
    {
        var condition = Parse("type = cron");
        Assert.True(condition.Evaluate(Push with { Type = "cron" }, out _));
        Assert.False(condition.Evaluate(Push, out _));
        Assert.False(condition.Evaluate(Push with { Type = "api" }, out _));
    }

    [Fact]
    public void Branch_is_master_for_pushes_to_master_and_pull_requests_into_it()
    {
        var condition = Parse("branch = master");
        Assert.True(condition.Evaluate(Push, out _));
        Assert.False(condition.Evaluate(Push with { Branch = "dev" }, out _));
        // §B11 Data: on a pull request, branch is the target branch.
        Assert.True(condition.Evaluate(Push with { Type = "pull_request", HeadBranch = "feature" }, out _));
        // On a tag build, branch is the tag name.
        Assert.False(condition.Evaluate(Push with { Branch = "v0.9.0", Tag = "v0.9.0" }, out _));
    }

    [Fact]
    public void Repo_and_tag_present_deploys_tags_of_the_main_repository_only()
    {
        var condition = Parse("repo = koalaman/shellcheck AND tag IS present");
        Assert.True(condition.Evaluate(Push with { Branch = "v0.9.0", Tag = "v0.9.0" }, out _));
        Assert.False(condition.Evaluate(Push, out _));
        Assert.False(condition.Evaluate(Push with { Repo = "someone/shellcheck", Tag = "v0.9.0" }, out _));
    }

    [Fact]
    public void Tag_is_not_present_runs_on_everything_but_tag_builds()
    {
        var condition = Parse("repo = koalaman/shellcheck AND tag IS NOT present");
        Assert.True(condition.Evaluate(Push, out _));
        Assert.True(condition.Evaluate(Push with { Tag = "" }, out _));
        Assert.False(condition.Evaluate(Push with { Tag = "v0.9.0" }, out _));
    }

    private static TravisCondition Parse(string text)
    {
        var condition = TravisCondition.Parse(text, out var error);
        Assert.True(condition is not null, error?.Message);
        return condition;
    }

    private static IEnumerable<string> Conditions(string file)
    {
        var errors = new ErrorList(file);
        var root = YamlLoader.Load(File.ReadAllText(file), errors);
        Assert.Equal(0, errors.Count);
        return Walk(root);
    }

    private static IEnumerable<string> Walk(Node? node) => node switch
    {
        MapNode map => map.Entries.SelectMany(entry =>
            entry.Name == "if" && entry.Value is ScalarNode scalar ? [scalar.Value] : Walk(entry.Value)),
        ListNode list => list.Items.SelectMany(Walk),
        _ => [],
    };
}
