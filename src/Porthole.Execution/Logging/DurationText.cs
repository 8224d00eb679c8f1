using System.Globalization;
using System.Text;

namespace Porthole.Execution.Logging;

/// <summary>
/// Durations the way CircleCI prints them (Go's format): <c>10m0s</c>, <c>2h0m0s</c>, <c>45s</c>, <c>1.5s</c>,
/// <c>300ms</c>. Step and job messages use them, and so do the SSH sections' connection details and wait rules.
/// </summary>
public static class DurationText
{
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.###}ms");
        }

        var text = new StringBuilder();
        var hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (hours > 0 || duration.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}m");
        }

        var seconds = duration.Seconds + (duration.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        text.Append(CultureInfo.InvariantCulture, $"{seconds:0.#########}s");
        return text.ToString();
    }
}
