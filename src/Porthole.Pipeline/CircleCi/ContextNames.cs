using System.Text.RegularExpressions;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// A workflow job's <c>context:</c> (dialects.md §A6): a name or a list of names of the secret sets the job gets. Names
/// are letters, digits, <c>_</c>, <c>.</c> and <c>-</c>, starting with a letter or digit, at most 100 characters, so a
/// name can never carry shell or path syntax into the server. Single spaces between words are allowed too, since
/// CircleCI's are (the corpus's terratest config uses <c>Gruntwork Admin</c>).
/// </summary>
internal static partial class ContextNames
{
    public static IReadOnlyList<string> Read(Node node, ErrorList errors)
    {
        IReadOnlyList<Node> items = node is ListNode list ? list.Items : [node];
        if (node is ListNode { Items.Count: 0 })
        {
            errors.Add(node, "context is an empty list; name a context, or remove the key");
            return [];
        }

        var names = new List<string>();
        foreach (var item in items)
        {
            if (item is not ScalarNode { IsNull: false } scalar)
            {
                errors.Add(item, $"context must be a context name or a list of them, found {item.Describe()}");
                continue;
            }

            if (Problem(scalar.Value) is { } problem)
            {
                var shown = scalar.Value.Length > 40 ? scalar.Value[..40] + "…" : scalar.Value;
                errors.Add(item, $"context name '{shown}' {problem}");
                continue;
            }

            if (!names.Contains(scalar.Value, StringComparer.Ordinal))
            {
                names.Add(scalar.Value);
            }
        }

        return names;
    }

    private static string? Problem(string name)
    {
        if (Valid().IsMatch(name))
        {
            return null;
        }

        if (name.Length == 0)
        {
            return "is empty";
        }

        if (name.Length > 100)
        {
            return $"is {name.Length} characters long; the limit is 100";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]))
        {
            return $"starts with '{name[0]}'; a context name starts with a letter or a digit";
        }

        if (name.EndsWith(' ') || name.Contains("  ", StringComparison.Ordinal))
        {
            return "has a space at its end or two in a row; a context name has single spaces between words only";
        }

        var bad = name.First(c => !char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-' or ' '));
        return $"has {(char.IsWhiteSpace(bad) || char.IsControl(bad) ? $"U+{(int)bad:X4}" : $"'{bad}'")}; a context name holds only letters, digits, '_', '.', '-' and single spaces";
    }

    [GeneratedRegex(@"\A(?=.{1,100}\z)[A-Za-z0-9](?:[A-Za-z0-9_.-]| (?! ))*(?<! )\z")]
    private static partial Regex Valid();
}
