using System.Globalization;
using System.Text.RegularExpressions;

namespace Porthole.Pipeline.CircleCi;

/// <summary>CircleCI durations: decimals with an h, m or s unit, combined, as in <c>10m</c>, <c>1h30m</c>, <c>1.5h</c>, <c>30s</c>.</summary>
internal static partial class DurationParser
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Duration().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        double seconds = 0;
        var parts = match.Groups["part"].Captures;
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i].Value;
            var amount = double.Parse(part[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            seconds += amount * part[^1] switch
            {
                'h' => 3600,
                'm' => 60,
                _ => 1,
            };
        }

        // A week is far beyond any job's time cap; anything longer is a typo, not a timeout.
        if (seconds <= 0 || seconds > TimeSpan.FromDays(7).TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?[hms])+$")]
    private static partial Regex Duration();
}
