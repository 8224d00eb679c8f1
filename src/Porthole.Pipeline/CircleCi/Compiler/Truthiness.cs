using System.Globalization;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// Whether a value counts as true in a CircleCI condition (dialects.md §A3): false, null, 0, NaN, the empty string and
/// an empty list or map are false; everything else is true. Only a plain (unquoted) scalar can be a boolean, null or a
/// number, so a quoted <c>"false"</c> is a non-empty string and true.
/// </summary>
internal static class Truthiness
{
    public static bool IsTruthy(Node? value) => value switch
    {
        null => false,
        ScalarNode scalar => IsTruthy(scalar),
        ListNode list => list.Items.Count > 0,
        MapNode map => map.Entries.Count > 0,
        _ => true,
    };

    private static bool IsTruthy(ScalarNode scalar)
    {
        if (scalar.Value.Length == 0 || scalar.IsNull)
        {
            return false;
        }

        if (!scalar.IsPlain || scalar.Tag is not null)
        {
            return true;
        }

        return !IsFalseWord(scalar.Value) && !IsZeroOrNaN(scalar.Value);
    }

    /// <summary>YAML 1.1's false spellings, in any case (CircleCI reads config with a YAML 1.1 parser).</summary>
    private static bool IsFalseWord(string text) =>
        text.Equals("false", StringComparison.OrdinalIgnoreCase)
        || text.Equals("no", StringComparison.OrdinalIgnoreCase)
        || text.Equals("off", StringComparison.OrdinalIgnoreCase);

    private static bool IsZeroOrNaN(string text)
    {
        if (text.Equals(".nan", StringComparison.OrdinalIgnoreCase) || text.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // YAML 1.1 also writes integers in hex (0x0), octal (0o0) and with underscores (0_000).
        var digits = text.Replace("_", "", StringComparison.Ordinal).TrimStart('+', '-');
        if (digits.Length > 2 && digits[0] == '0' && digits[1] is 'x' or 'X' or 'o' or 'O')
        {
            return digits[2..].All(c => c == '0');
        }

        return double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number == 0;
    }
}
