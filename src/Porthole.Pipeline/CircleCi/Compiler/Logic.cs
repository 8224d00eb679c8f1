using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// CircleCI's logic statements (dialects.md §A3), as <c>when:</c>/<c>unless:</c> of a step or a workflow hold them once
/// their <c>&lt;&lt; … &gt;&gt;</c> are substituted: a value (its truthiness), or a map with one operator among
/// <c>and</c>, <c>or</c>, <c>not</c>, <c>equal</c> and <c>matches</c>. CircleCI reads a misspelt operator as a truthy
/// map; Porthole names it instead. Every operand is checked, so all mistakes are reported at once.
/// </summary>
internal static class Logic
{
    /// <summary>CircleCI allows statements nested 100 levels deep.</summary>
    public const int MaxNesting = 100;

    /// <summary>The statement's value; false (with an error in <paramref name="errors"/>) when it is not a valid statement.</summary>
    public static bool Evaluate(Node statement, ErrorList errors)
    {
        var evaluation = new Evaluation(errors);
        var value = evaluation.Statement(statement, 1);
        return value && !evaluation.Failed;
    }

    /// <summary>
    /// Whether two values are equal as <c>equal:</c> compares them: scalars by their text, a plain boolean in any of
    /// its YAML 1.1 spellings as <c>true</c> or <c>false</c> and a plain null as null; lists and maps item by item
    /// (maps by key, in any order).
    /// </summary>
    public static bool ValuesEqual(Node left, Node right) => (left, right) switch
    {
        (ScalarNode a, ScalarNode b) => Canonical(a) == Canonical(b),
        (ListNode a, ListNode b) => a.Items.Count == b.Items.Count && a.Items.Zip(b.Items).All(pair => ValuesEqual(pair.First, pair.Second)),
        (MapNode a, MapNode b) => a.Entries.Count == b.Entries.Count
            && a.Entries.All(entry => b.Get(entry.Name) is { } other && ValuesEqual(entry.Value, other)),
        _ => false,
    };

    /// <summary>A scalar's text for comparison: booleans and null in one spelling (<c>null</c> is not the text "null").</summary>
    public static string? Canonical(ScalarNode scalar)
    {
        if (scalar.IsNull)
        {
            return null;
        }

        if (scalar is { IsPlain: true, Tag: null })
        {
            switch (scalar.Value.ToUpperInvariant())
            {
                case "TRUE" or "YES" or "ON":
                    return "true";
                case "FALSE" or "NO" or "OFF":
                    return "false";
            }
        }

        return scalar.Value;
    }

    /// <summary>One evaluation; <see cref="Failed"/> once any error was found, even one reported before at the same place.</summary>
    private sealed class Evaluation(ErrorList errors)
    {
        public bool Failed { get; private set; }

        public bool Statement(Node statement, int level)
        {
            if (level > MaxNesting)
            {
                return Fail(statement, $"the logic statement nests deeper than {MaxNesting} levels");
            }

            switch (statement)
            {
                case ScalarNode scalar:
                    return Truthiness.IsTruthy(scalar);
                case ListNode:
                    return Fail(statement, "a logic statement must be a value or a map with one operator (and, or, not, equal or matches), found a list");
                case MapNode { Entries.Count: 1 } map:
                    return Operator(map.Entries[0], level);
                case MapNode { Entries.Count: 0 }:
                    return Fail(statement, "a logic statement must be a value or a map with one operator (and, or, not, equal or matches), found an empty map");
                case MapNode map:
                    return Fail(statement, $"a logic statement is a map with one operator; this one has {map.Entries.Count}: {string.Join(", ", map.Entries.Select(entry => entry.Name))}");
                default:
                    return Truthiness.IsTruthy(statement);
            }
        }

        private bool Operator(MapEntry entry, int level)
        {
            switch (entry.Name)
            {
                case "and":
                    return Operands(entry, level) is { } all && all.All(value => value);
                case "or":
                    return Operands(entry, level) is { } any && any.Any(value => value);
                case "not":
                    if (entry.Value is ListNode)
                    {
                        return Fail(entry.Value, "not takes one logic statement, found a list");
                    }

                    return !Statement(entry.Value, level + 1);
                case "equal":
                    return Equal(entry);
                case "matches":
                    return Matches(entry);
                default:
                    return Fail(entry.Key, $"unknown logic operator '{entry.Name}'; use and, or, not, equal or matches");
            }
        }

        /// <summary>Every operand's value (none short-circuits, so each is checked); null when the operands are not a non-empty list.</summary>
        private List<bool>? Operands(MapEntry entry, int level)
        {
            if (NonEmptyList(entry) is not { } list)
            {
                return null;
            }

            return [.. list.Items.Select(item => Statement(item, level + 1))];
        }

        private bool Equal(MapEntry entry)
        {
            if (NonEmptyList(entry) is not { } list)
            {
                return false;
            }

            var first = list.Items[0];
            return list.Items.Skip(1).All(item => ValuesEqual(first, item));
        }

        private bool Matches(MapEntry entry)
        {
            if (entry.Value is not MapNode map)
            {
                return Fail(entry.Value, $"matches must be a map with pattern and value, found {entry.Value.Describe()}");
            }

            var wellFormed = true;
            foreach (var key in map.Entries.Where(key => key.Name is not ("pattern" or "value")))
            {
                wellFormed = Fail(key.Key, $"unknown key '{key.Name}' in matches; it takes pattern and value");
            }

            var pattern = Text(map, entry, "pattern");
            var value = Text(map, entry, "value");
            if (pattern is null)
            {
                return false;
            }

            var patternNode = map.Get("pattern")!;
            if (FullMatchRegex.Create(pattern, out var error) is not { } regex)
            {
                return Fail(patternNode, $"the matches pattern {error}");
            }

            if (value is null || !wellFormed)
            {
                return false;
            }

            // CircleCI matches with Java's Matcher.matches(): the whole value, never a part of it (§A3).
            return regex.IsFullMatch(value)
                ?? Fail(patternNode, $"the matches pattern took longer than {FullMatchRegex.Timeout.TotalMilliseconds} ms on '{value}'; simplify it");
        }

        /// <summary>A matches key's text; a missing value (an empty pipeline value substituted) reads as the empty string.</summary>
        private string? Text(MapNode map, MapEntry matches, string key)
        {
            switch (map.Get(key))
            {
                case null:
                    Fail(matches.Key, $"matches needs a {key}");
                    return null;
                case ScalarNode { IsNull: true } when key == "value":
                    return "";
                case ScalarNode { IsNull: false } scalar:
                    return scalar.Value;
                case { } other:
                    Fail(other, $"the matches {key} must be a string, found {other.Describe()}");
                    return null;
            }
        }

        private ListNode? NonEmptyList(MapEntry entry)
        {
            if (entry.Value is not ListNode list)
            {
                Fail(entry.Value, $"{entry.Name} takes a list, found {entry.Value.Describe()}");
                return null;
            }

            if (list.Items.Count == 0)
            {
                Fail(entry.Value, $"{entry.Name} takes a non-empty list; an empty list is not a logic statement");
                return null;
            }

            return list;
        }

        private bool Fail(Node at, string message)
        {
            Failed = true;
            errors.Add(at, message);
            return false;
        }
    }
}
