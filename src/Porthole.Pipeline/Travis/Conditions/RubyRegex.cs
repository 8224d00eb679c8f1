using System.Text.RegularExpressions;

namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// Makes a .NET regex from a Ruby (Onigmo) pattern as Travis's <c>=~</c> uses it: unanchored, <c>^</c>/<c>$</c>
/// at line boundaries, ASCII <c>\d \w \s</c>, <c>\h</c>, <c>(?m)</c> meaning "dot matches newline". What .NET
/// cannot match the same way is refused with a problem; every match runs with <see cref="MatchTimeout"/>,
/// as patterns come from users' configs.
/// </summary>
internal static class RubyRegex
{
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The regex, or null and a problem that does not repeat the pattern (it may come from a secret).</summary>
    public static Regex? Create(string rubyPattern, out string? problem)
    {
        var pattern = RubyRegexTranslator.Translate(rubyPattern, out problem);
        if (pattern is null)
        {
            return null;
        }

        try
        {
            return new Regex(pattern, RegexOptions.Multiline | RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (RegexParseException e)
        {
            problem = $"it is not a valid regular expression ({Words(e.Error.ToString())})";
            return null;
        }
        catch (ArgumentException)
        {
            problem = "it is not a valid regular expression";
            return null;
        }
    }

    private static string Words(string name) =>
        Regex.Replace(name, "(?<=[a-z])(?=[A-Z])", " ", RegexOptions.None, MatchTimeout).ToLowerInvariant();
}
