using System.Globalization;
using System.Text.RegularExpressions;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// A pattern of the config (a <c>/…/</c> filter, a <c>matches</c> condition) as CircleCI applies it: a Java regex that
/// must match the whole string (dialects.md §A3, §A6), never a part of it. Matching is bounded by a timeout, since the
/// pattern is the config author's.
/// </summary>
internal sealed partial class FullMatchRegex
{
    /// <summary>How long one match may take before it counts as an error.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex _regex;

    private FullMatchRegex(string pattern, Regex regex)
    {
        Pattern = pattern;
        _regex = regex;
    }

    /// <summary>The pattern as written.</summary>
    public string Pattern { get; }

    /// <summary>
    /// The pattern anchored at both ends; null with <paramref name="error"/> saying why when it is not a valid pattern.
    /// It is parsed alone first, so <c>a)|(b</c> cannot slip past the anchors.
    /// </summary>
    public static FullMatchRegex? Create(string pattern, out string? error)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, Timeout);
            error = null;
            return new FullMatchRegex(pattern, new Regex($@"\A(?:{pattern})\z", RegexOptions.None, Timeout));
        }
        catch (RegexParseException exception)
        {
            var words = CamelCase().Replace(exception.Error.ToString(), " ").ToLower(CultureInfo.InvariantCulture);
            error = $"'{pattern}' is not a valid regular expression: {words} at offset {exception.Offset}";
            return null;
        }
    }

    /// <summary>Whether the whole of <paramref name="value"/> matches; null when the match took longer than <see cref="Timeout"/>.</summary>
    public bool? IsFullMatch(string value)
    {
        try
        {
            return _regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    [GeneratedRegex("(?<=[a-z])(?=[A-Z])")]
    private static partial Regex CamelCase();
}
