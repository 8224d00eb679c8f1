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
}
