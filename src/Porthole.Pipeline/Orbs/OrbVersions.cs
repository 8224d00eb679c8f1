using System.Globalization;

namespace Porthole.Pipeline.Orbs;

/// <summary>
/// The order of orb versions (§A4): <c>x.y.z</c> by number, part by part, so 1.10.0 is newer than 1.9.0; every
/// <c>dev:label</c> after them, by label (a dev version is never the newest match of a range).
/// </summary>
public sealed class OrbVersions : IComparer<string>
{
    public static OrbVersions Order { get; } = new();

    /// <summary>The newest of <paramref name="versions"/> that <paramref name="reference"/> admits; null when none does.</summary>
    public static string? Newest(OrbReference reference, IEnumerable<string> versions)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(versions);
        string? newest = null;
        foreach (var version in versions)
        {
            if (reference.Admits(version) && (newest is null || Order.Compare(version, newest) > 0))
            {
                newest = version;
            }
        }

        return newest;
    }

    /// <summary>The parts of an exact <c>x.y.z</c>; null for anything else (a range, a dev label).</summary>
    public static (int Major, int Minor, int Patch)? Parse(string version)
    {
        var parts = (version ?? "").Split('.');
        return parts.Length == 3
            && Part(parts[0]) is { } major
            && Part(parts[1]) is { } minor
            && Part(parts[2]) is { } patch
            ? (major, minor, patch)
            : null;
    }

    public int Compare(string? x, string? y)
    {
        var (left, right) = (Parse(x ?? ""), Parse(y ?? ""));
        return (left, right) switch
        {
            ({ } a, { } b) => a.CompareTo(b),
            ({ }, null) => -1,
            (null, { }) => 1,
            _ => string.CompareOrdinal(x, y),
        };
    }

    private static int? Part(string text) =>
        text.Length is > 0 and <= 9 && text.All(char.IsAsciiDigit)
            ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)
            : null;
}
