using System.Text.RegularExpressions;

namespace Porthole.Pipeline.Orbs;

/// <summary>
/// How an orb store names its files: <c>ns/name/x.y.z.yml</c>, and <c>ns/name/dev~label.yml</c> for <c>dev:label</c>
/// (a colon is awkward in file names, and <c>~</c> is neither in a label nor in a number, so no two versions share a name).
/// Only names of this grammar are ever turned into paths: nothing a reference holds can reach outside the store.
/// </summary>
public static partial class OrbFileNames
{
    public const string Extension = ".yml";

    private const string DevPrefix = "dev~";

    /// <summary>Whether <paramref name="segment"/> can be an orb's namespace or name (and so one folder of the store).</summary>
    public static bool IsName(string? segment) => segment is not null && NamePattern().IsMatch(segment);

    /// <summary>The file name of an exact version (<c>x.y.z</c> or <c>dev:label</c>); null for a range or anything else.</summary>
    public static string? Of(string version)
    {
        if (OrbVersions.Parse(version) is not null)
        {
            return version + Extension;
        }

        return version.StartsWith("dev:", StringComparison.Ordinal) && LabelPattern().IsMatch(version[4..])
            ? DevPrefix + version[4..] + Extension
            : null;
    }

    /// <summary>The version a file of the store holds, from its name; null for a file that is not an orb version's.</summary>
    public static string? VersionOf(string fileName)
    {
        if (!fileName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return null;
        }

        var stem = fileName[..^Extension.Length];
        if (stem.StartsWith(DevPrefix, StringComparison.Ordinal))
        {
            var label = stem[DevPrefix.Length..];
            return LabelPattern().IsMatch(label) ? "dev:" + label : null;
        }

        return OrbVersions.Parse(stem) is not null ? stem : null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,99}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex LabelPattern();
}
