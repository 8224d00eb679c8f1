using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// A cache key as written: a Go template (§A5 "key templates") whose syntax is checked here, so a malformed key is an
/// error at its line and column instead of a failed step later. Which fields and functions it names is the node's
/// business: an unknown function parses, and fails the step where it renders, as in CircleCI.
/// </summary>
internal static class CacheKeys
{
    /// <summary>The key, or null with an error at the offending character (at the scalar when it is not written plainly on one line).</summary>
    public static string? Check(string key, Node at, ErrorList errors)
    {
        try
        {
            KeyTemplate.Parse(key);
            return key;
        }
        catch (KeyTemplateException exception)
        {
            var position = at is ScalarNode scalar ? scalar.PositionOf(exception.Offset) : at.Start;
            errors.Add(position, $"malformed cache key '{key}': {exception.Message}");
            return null;
        }
    }
}
