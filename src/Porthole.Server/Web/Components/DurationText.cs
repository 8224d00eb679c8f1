using System.Globalization;

namespace Porthole.Server.Web.Components;

/// <summary>How long something took, as the pages show it ("4 s", "2 min 05 s", "1 h 03 min"); joblog.js writes the same.</summary>
public static class DurationText
{
    public static string Format(TimeSpan span)
    {
        if (span < TimeSpan.FromSeconds(1))
        {
            return "<1 s";
        }

        var seconds = (long)span.TotalSeconds;
        return seconds switch
        {
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds} s"),
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60} min {seconds % 60:00} s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600} h {seconds % 3600 / 60:00} min"),
        };
    }

    /// <summary>From start to end; empty while it has not started or not ended.</summary>
    public static string Between(DateTimeOffset? start, DateTimeOffset? end) =>
        start is { } from && end is { } to ? Format(to - from) : "";
}
