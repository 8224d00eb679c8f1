using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Porthole.Pipeline.Orbs;

/// <summary>
/// <c>namespace/name@version</c> where version is <c>x.y.z</c>, <c>x.y</c>, <c>x</c>, <c>volatile</c> or <c>dev:label</c> (§A4).
/// Namespaces and names are lower-case letters, digits, <c>-</c> and <c>_</c>, as CircleCI's registry allows.
/// </summary>
public sealed partial record OrbReference(string Namespace, string Name, string Version)
{
    public override string ToString() => $"{Namespace}/{Name}@{Version}";

    /// <summary>True when <see cref="Version"/> names one version (<c>x.y.z</c> or <c>dev:label</c>), not a range.</summary>
    public bool IsExact => Version.StartsWith("dev:", StringComparison.Ordinal) || ExactVersion().IsMatch(Version);

    public static bool TryParse(string text, [NotNullWhen(true)] out OrbReference? reference, [NotNullWhen(false)] out string? problem)
    {
        reference = null;
        var match = Pattern().Match(text ?? "");
        if (!match.Success)
        {
            problem = $"'{text}' is not an orb reference; write namespace/name@version, such as circleci/node@5.2.0";
            return false;
        }

        reference = new OrbReference(match.Groups["ns"].Value, match.Groups["name"].Value, match.Groups["version"].Value);
        problem = null;
        return true;
    }

    /// <summary>Whether the exact version <paramref name="candidate"/> (<c>x.y.z</c>) satisfies <see cref="Version"/>.</summary>
    public bool Admits(string candidate)
    {
        if (Version.StartsWith("dev:", StringComparison.Ordinal) || candidate.StartsWith("dev:", StringComparison.Ordinal))
        {
            return Version == candidate;
        }

        if (!ExactVersion().IsMatch(candidate))
        {
            return false;
        }

        return Version == "volatile" || candidate == Version || candidate.StartsWith(Version + ".", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^(?<ns>[a-z0-9][a-z0-9_-]{0,99})/(?<name>[a-z0-9][a-z0-9_-]{0,99})@(?<version>volatile|dev:[A-Za-z0-9._-]{1,100}|\d{1,9}(\.\d{1,9}){0,2})$")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^\d{1,9}\.\d{1,9}\.\d{1,9}$")]
    private static partial Regex ExactVersion();
}
