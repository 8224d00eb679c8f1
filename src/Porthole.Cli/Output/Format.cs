using System.Globalization;

namespace Porthole.Cli.Output;

/// <summary>How values look in the CLI's human output.</summary>
public static class Format
{
    /// <summary>A time in UTC to the second, e.g. <c>2025-11-23 04:16:09Z</c>.</summary>
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? time) => time is { } t ? Time(t) : "-";

    /// <summary>The first 8 characters of a commit hash, as git's short form.</summary>
    public static string Commit(string? sha) => string.IsNullOrEmpty(sha) ? "-" : sha.Length > 8 ? sha[..8] : sha;

    public static string List(IReadOnlyList<string>? items) => items is null || items.Count == 0 ? "-" : string.Join(",", items);

    public static string Text(string? text) => string.IsNullOrWhiteSpace(text) ? "-" : OneLine.Of(text);

    /// <summary>A time left, to the second under a minute, else to the minute: <c>45s</c>, <c>9m</c>, <c>1h 05m</c>; <c>0s</c> when past.</summary>
    public static string Duration(TimeSpan left)
    {
        if (left <= TimeSpan.Zero)
        {
            return "0s";
        }

        return left.TotalMinutes < 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalSeconds}s")
            : left.TotalHours < 1
                ? string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalMinutes}m")
                : string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalHours}h {left.Minutes:00}m");
    }

    /// <summary>A size for people in binary multiples, as the logs' notices write it: <c>900 bytes</c>, <c>64 KB</c>, <c>1.2 MB</c>, <c>3.5 GB</c>.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["TB", "GB", "MB", "KB"];
        long[] sizes = [1L << 40, 1L << 30, 1L << 20, 1L << 10];
        for (var i = 0; i < units.Length; i++)
        {
            if (bytes >= sizes[i])
            {
                return string.Create(CultureInfo.InvariantCulture, $"{(double)bytes / sizes[i]:0.#} {units[i]}");
            }
        }

        return bytes == 1 ? "1 byte" : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
    }
}
