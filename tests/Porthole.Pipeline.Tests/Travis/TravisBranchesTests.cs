using Porthole.Pipeline.Travis;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Tests.Travis;

/// <summary><c>branches:</c> only/except (dialects.md §B12), with exact names and unanchored Ruby regexes.</summary>
public sealed class TravisBranchesTests
{
    private static (TravisBranches? Branches, ErrorList Errors) Read(string yaml)
    {
        var errors = new ErrorList(".travis.yml");
        var root = (MapNode)YamlLoader.Load(yaml, errors)!;
        return (TravisBranches.Read(root.Get("branches"), errors), errors);
    }

    private static TravisBranches Branches(string yaml)
    {
        var (branches, errors) = Read(yaml);
        Assert.Empty(errors.ToList());
        return branches!;
    }

    [Fact]
    public void A_bare_list_is_only_and_admits_exact_names_only()
    {
        var branches = Branches("branches: [master, release]\n");

        Assert.Null(branches.Refusal("master"));
        Assert.Null(branches.Refusal("release"));
        Assert.Equal("'feature' is not in branches.only (master, release)", branches.Refusal("feature"));
        Assert.NotNull(branches.Refusal("master2"));
    }

    [Fact]
    public void A_regex_matches_unanchored_and_may_admit_tags_by_their_names()
    {
        // §B12: on a tag build the branch is the tag's name, so only: [master] blocks tags unless a regex admits them.
        var branches = Branches("branches:\n  only:\n    - master\n    - /^v\\d+\\.\\d+(\\.\\d+)?(-\\S*)?$/\n    - /deploy/\n");

        Assert.Null(branches.Refusal("v1.2.3"));
        Assert.Null(branches.Refusal("pre-deploy-x"));
        Assert.NotNull(branches.Refusal("v1"));
        Assert.NotNull(branches.Refusal("feature"));
    }

    [Fact]
    public void Only_decides_when_both_are_given()
    {
        // TD: "If you use both a safelist and a blocklist, the safelist takes precedence".
        var branches = Branches("branches:\n  only: [main, legacy]\n  except: [legacy]\n");

        Assert.Null(branches.Refusal("legacy"));
        Assert.NotNull(branches.Refusal("other"));
    }

    [Fact]
    public void Except_and_its_alias_exclude_refuse_what_they_match()
    {
        var branches = Branches("branches:\n  exclude:\n    - /^wip-/\n    - experimental\n");

        Assert.Equal("'wip-1' is excluded by branches.except (/^wip-/)", branches.Refusal("wip-1"));
        Assert.NotNull(branches.Refusal("experimental"));
        Assert.Null(branches.Refusal("main"));
    }

    [Fact]
    public void Gh_pages_is_built_only_when_only_names_it()
    {
        Assert.NotNull(Branches("branches:\n  except: [nothing]\n").Refusal("gh-pages"));
        Assert.Null(Branches("branches:\n  only: [gh-pages]\n").Refusal("gh-pages"));
    }

    [Fact]
    public void Wrong_filters_are_errors_naming_them()
    {
        var (_, unknown) = Read("branches:\n  sometimes: [x]\n");
        var (_, map) = Read("branches:\n  only:\n    - {a: b}\n");
        var (_, regex) = Read("branches:\n  only: ['/(?<!/']\n");

        Assert.Contains(unknown.ToList(), e => e.Message.Contains("unknown key 'sometimes' in branches", StringComparison.Ordinal));
        Assert.Contains(map.ToList(), e => e.Message.Contains("branch name or a /regex/", StringComparison.Ordinal));
        Assert.Contains(regex.ToList(), e => e.Message.Contains("is not a regular expression Porthole can match", StringComparison.Ordinal));
    }
}
