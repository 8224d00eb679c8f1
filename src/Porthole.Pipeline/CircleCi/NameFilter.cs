using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// The <c>branches:</c> or <c>tags:</c> part of a CircleCI filter (dialects.md §A6): <c>only</c> and <c>ignore</c>, each
/// a name or a list of them, where <c>/…/</c> is a regex that must match the whole name and anything else an exact
/// name. With neither key every name passes; with both, only is considered before ignore.
/// </summary>
internal sealed class NameFilter
{
    private readonly IReadOnlyList<NamePattern>? _only;
    private readonly IReadOnlyList<NamePattern>? _ignore;

    private NameFilter(IReadOnlyList<NamePattern>? only, IReadOnlyList<NamePattern>? ignore)
    {
        _only = only;
        _ignore = ignore;
    }

    /// <summary>Neither <c>only</c> nor <c>ignore</c> is set: every branch passes, and no tag (a tag filter must say which).</summary>
    public bool IsEmpty => _only is null && _ignore is null;

    /// <summary>The filter under <paramref name="what"/> (<c>branches</c>, <c>tags</c>); null with errors when malformed.</summary>
    public static NameFilter? Read(Node node, string what, ErrorList errors)
    {
        if (node is ScalarNode { IsNull: true })
        {
            return new NameFilter(null, null);
        }

        if (Expect.Map(node, what, errors) is not { } map)
        {
            return null;
        }

        var valid = true;
        IReadOnlyList<NamePattern>? only = null;
        IReadOnlyList<NamePattern>? ignore = null;
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "only":
                    only = ReadPatterns(entry.Value, $"{what} only", errors);
                    valid &= only is not null;
                    break;
                case "ignore":
                    ignore = ReadPatterns(entry.Value, $"{what} ignore", errors);
                    valid &= ignore is not null;
                    break;
                default:
                    errors.Add(entry.Key, $"unknown key '{entry.Name}' in {what}; a filter takes only and ignore");
                    valid = false;
                    break;
            }
        }

        return valid ? new NameFilter(only, ignore) : null;
    }

    /// <summary>Whether <paramref name="name"/> passes: named by <c>only</c> (when set) and not by <c>ignore</c>.</summary>
    public bool Admits(string name) =>
        (_only is null || _only.Any(pattern => pattern.Matches(name)))
        && (_ignore is null || !_ignore.Any(pattern => pattern.Matches(name)));

    private static List<NamePattern>? ReadPatterns(Node node, string what, ErrorList errors)
    {
        IReadOnlyList<Node> items = node is ListNode list ? list.Items : [node];
        if (items.Count == 0)
        {
            errors.Add(node, $"{what} is an empty list; name at least one, or remove the key");
            return null;
        }

        var patterns = new List<NamePattern>();
        foreach (var item in items)
        {
            if (item is not ScalarNode { IsNull: false } scalar)
            {
                errors.Add(item, $"{what} must be a name or a list of names, found {item.Describe()}");
                continue;
            }

            if (NamePattern.Read(scalar, errors) is { } pattern)
            {
                patterns.Add(pattern);
            }
        }

        return patterns.Count == items.Count ? patterns : null;
    }

    /// <summary>An exact name, or a <c>/…/</c> regex matched against the whole name.</summary>
    private sealed class NamePattern
    {
        private readonly string? _exact;
        private readonly FullMatchRegex? _regex;
        private readonly ScalarNode _at;
        private readonly ErrorList _errors;

        private NamePattern(string? exact, FullMatchRegex? regex, ScalarNode at, ErrorList errors)
        {
            _exact = exact;
            _regex = regex;
            _at = at;
            _errors = errors;
        }

        public static NamePattern? Read(ScalarNode scalar, ErrorList errors)
        {
            var text = scalar.Value;
            if (text.Length < 2 || text[0] != '/' || text[^1] != '/')
            {
                return new NamePattern(text, null, scalar, errors);
            }

            if (FullMatchRegex.Create(text[1..^1], out var error) is not { } regex)
            {
                errors.Add(scalar, $"the filter {error}");
                return null;
            }

            return new NamePattern(null, regex, scalar, errors);
        }

        public bool Matches(string name)
        {
            if (_regex is null)
            {
                return string.Equals(_exact, name, StringComparison.Ordinal);
            }

            if (_regex.IsFullMatch(name) is { } matches)
            {
                return matches;
            }

            _errors.Add(_at, $"the filter /{_regex.Pattern}/ took longer than {FullMatchRegex.Timeout.TotalMilliseconds} ms on '{name}'; simplify it");
            return false;
        }
    }
}
