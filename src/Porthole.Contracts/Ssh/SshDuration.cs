using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Porthole.Contracts.Ssh;

/// <summary>
/// A duration as <c>porthole-extend</c>, <c>porthole ssh extend</c> and the API take it (R-BEY-4): a whole number with a
/// unit, or several: <c>30m</c>, <c>1h</c>, <c>1h30m</c>, <c>90s</c>; a bare number is minutes.
/// </summary>
public static partial class SshDuration
{
    /// <summary>What an extension adds when no duration is given.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromMinutes(30);

    [GeneratedRegex(@"^(?:(?<h>\d{1,3})h)?(?:(?<m>\d{1,4})m)?(?:(?<s>\d{1,6})s)?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Units();

    /// <summary>The duration <paramref name="text"/> names, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static TimeSpan? Parse(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return Default;
        }

        var trimmed = text.Trim();
        if (trimmed.Length <= 6 && int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes))
        {
            return Checked(TimeSpan.FromMinutes(minutes), trimmed, out error);
        }

        var match = trimmed.Length <= 20 ? Units().Match(trimmed) : Match.Empty;
        if (!match.Success || trimmed.Length == 0)
        {
            error = $"'{(trimmed.Length > 20 ? trimmed[..20] + "…" : trimmed)}' is not a duration: give one such as 30m, 1h, 1h30m or 90s (a bare number is minutes).";
            return null;
        }

        static int Part(Match m, string name) => m.Groups[name].Success ? int.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        return Checked(new TimeSpan(Part(match, "h"), Part(match, "m"), Part(match, "s")), trimmed, out error);
    }

    private static TimeSpan? Checked(TimeSpan duration, string text, out string? error)
    {
        error = duration <= TimeSpan.Zero ? $"'{text}' adds no time: give a duration of more than zero, such as 30m." : null;
        return error is null ? duration : null;
    }

    /// <summary>
    /// A duration as the node and the server print it, Go's way as CircleCI does: <c>10m0s</c>, <c>2h0m0s</c>, <c>45s</c>,
    /// <c>1.5s</c>, <c>300ms</c>; a negative one is <c>0ms</c>.
    /// </summary>
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
