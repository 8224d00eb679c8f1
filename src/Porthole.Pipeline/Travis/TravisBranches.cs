using System.Text.RegularExpressions;
using Porthole.Pipeline.Travis.Conditions;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// A config's <c>branches:</c> (dialects.md §B12): <c>only</c> and <c>except</c> (aliases <c>branch</c>, <c>exclude</c>; a
/// bare list or scalar is <c>only</c>), each item an exact name or a <c>/…/</c> Ruby regex, matched unanchored. When
/// <c>only</c> is given it alone decides; <c>gh-pages</c> is built only when <c>only</c> names it. On a tag build the
/// branch is the tag's name. Checked before a pipeline is made.
/// </summary>
internal sealed class TravisBranches
{
    private const string GhPages = "gh-pages";

    private readonly IReadOnlyList<Pattern>? _only;
    private readonly IReadOnlyList<Pattern>? _except;

    private TravisBranches(IReadOnlyList<Pattern>? only, IReadOnlyList<Pattern>? except)
    {
        _only = only;
        _except = except;
    }

    /// <summary>The filters of <paramref name="node"/> (the value of <c>branches:</c>); null when it has none or they are wrong (reported).</summary>
    public static TravisBranches? Read(Node? node, ErrorList errors)
    {
        switch (node)
        {
            case null or ScalarNode { IsNull: true }:
                return null;
            case ScalarNode or ListNode:
                return Patterns(node, "branches", errors) is { } bare ? new TravisBranches(bare, null) : null;
            case MapNode map:
                IReadOnlyList<Pattern>? only = null;
                IReadOnlyList<Pattern>? except = null;
                var failed = false;
                foreach (var entry in map.Entries)
                {
                    switch (entry.Name)
                    {
                        case "only" or "branch":
                            only = Patterns(entry.Value, $"branches.{entry.Name}", errors);
                            failed |= only is null;
                            break;
                        case "except" or "exclude":
                            except = Patterns(entry.Value, $"branches.{entry.Name}", errors);
                            failed |= except is null;
                            break;
                        default:
                            errors.Add(entry.Key, $"unknown key '{entry.Name}' in branches (only, except)");
                            failed = true;
                            break;
                    }
                }

                return failed ? null : new TravisBranches(only, except);
            default:
                errors.Add(node, "branches must be a list of branch names, or a map with only: and except:");
                return null;
        }
    }

    /// <summary>Null when a push to <paramref name="branch"/> (a tag's name on a tag build) is built; else why it is not.</summary>
    public string? Refusal(string branch)
    {
        if (_only is { } only)
        {
            return only.FirstOrDefault(p => p.Matches(branch)) is null
                ? $"'{branch}' is not in branches.only ({string.Join(", ", only.Select(p => p.Written))})"
                : null;
        }

        if (branch == GhPages)
        {
            return "gh-pages is built only when branches.only names it (as on Travis)";
        }

        return _except?.FirstOrDefault(p => p.Matches(branch)) is { } excluded
            ? $"'{branch}' is excluded by branches.except ({excluded.Written})"
            : null;
    }

    private static List<Pattern>? Patterns(Node node, string what, ErrorList errors)
    {
        var items = node switch
        {
            ScalarNode { IsNull: true } => [],
            ScalarNode scalar => [scalar],
            ListNode list => list.Items,
            _ => null,
        };
        if (items is null)
        {
            errors.Add(node, $"{what} must be a branch name or a list of them");
            return null;
        }

        var patterns = new List<Pattern>();
        foreach (var item in items)
        {
            if (item is not ScalarNode { IsNull: false } scalar)
            {
                errors.Add(item, $"an entry of {what} must be a branch name or a /regex/");
                return null;
            }

            var text = scalar.Value;
            if (text.Length >= 2 && text[0] == '/' && text[^1] == '/')
            {
                if (RubyRegex.Create(text[1..^1], out var problem) is not { } regex)
                {
                    errors.Add(scalar, $"{text} in {what} is not a regular expression Porthole can match: {problem}");
                    return null;
                }

                patterns.Add(new Pattern(text, regex));
            }
            else
            {
                patterns.Add(new Pattern(text, null));
            }
        }

        return patterns;
    }

    /// <summary>An exact name, or a regex matched unanchored (a match that times out does not match).</summary>
    private sealed record Pattern(string Written, Regex? Regex)
    {
        public bool Matches(string branch)
        {
            if (Regex is null)
            {
                return branch == Written;
            }

            try
            {
                return Regex.IsMatch(branch);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }
    }
}
