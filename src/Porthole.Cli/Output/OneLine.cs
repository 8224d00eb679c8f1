using System.Text.RegularExpressions;

namespace Porthole.Cli.Output;

/// <summary>Errors are printed on one line: whatever a server or a library put in a message, newlines and runs of spaces become one space.</summary>
public static partial class OneLine
{
    public static string Of(string? text) => string.IsNullOrWhiteSpace(text) ? "" : Whitespace().Replace(text.Trim(), " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
