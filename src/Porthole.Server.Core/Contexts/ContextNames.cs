using System.Globalization;
using System.Text.RegularExpressions;
using Porthole.Server.Api;

namespace Porthole.Server.Contexts;

/// <summary>
/// The names of contexts and of their variables: a context name is letters, digits, '.', '_', '-' and single spaces
/// between words (at most 100, starting with a letter or digit), as a config's <c>context:</c> may name it (CircleCI's
/// names have spaces: the corpus's terratest uses <c>Gruntwork Admin</c>), never shell or path syntax; a variable name is
/// POSIX, as a project's variables are. A refusal names the first character that is not allowed.
/// </summary>
public static partial class ContextNames
{
    public const string DefaultRole = Accounts.Roles.Write;

    [GeneratedRegex(@"\A(?=.{1,100}\z)[A-Za-z0-9](?:[A-Za-z0-9_.-]| (?! ))*(?<! )\z")]
    private static partial Regex ContextName();

    public static bool IsValid(string? name) => name is not null && ContextName().IsMatch(name);

    /// <summary>Why <paramref name="name"/> is not a context name (naming the first character not allowed), or null when it is one.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Give the context a name: {\"name\": \"deploy\", \"role\": \"write\"}.";
        }

        if (IsValid(name))
        {
            return null;
        }

        var shown = $"'{MessageText.Shorten(Printable(name))}' is not a valid context name";
        const string Rule = "use letters, digits, '.', '_', '-' and single spaces between words (at most 100), starting with a letter or digit.";
        foreach (var character in name)
        {
            if (!IsAllowed(character))
            {
                return $"{shown}: {Describe(character)} is not allowed; {Rule}";
            }
        }

        if (name.EndsWith(' ') || name.Contains("  ", StringComparison.Ordinal))
        {
            return $"{shown}: it has a space at its end or two in a row; {Rule}";
        }

        return name.Length > 100
            ? $"{shown}: it is {name.Length} characters long; {Rule}"
            : $"{shown}: it starts with {Describe(name[0])}; {Rule}";
    }

    private static bool IsAllowed(char character) => char.IsAsciiLetterOrDigit(character) || character is '_' or '.' or '-' or ' ';

    private static string Describe(char character) => character switch
    {
        ' ' => "a space",
        '\'' => "the quote \"'\"",
        _ when char.IsControl(character) || char.IsWhiteSpace(character) || char.IsSurrogate(character) =>
            string.Create(CultureInfo.InvariantCulture, $"the character U+{(int)character:X4}"),
        _ => $"'{character}'",
    };

    /// <summary>The name as it can be shown on one line: control characters as <c>\u000A</c>.</summary>
    private static string Printable(string name) =>
        string.Concat(name.Select(c => char.IsControl(c) ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}") : c.ToString()));
}
