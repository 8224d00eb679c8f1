using System.Text.RegularExpressions;

namespace Porthole.Contracts.Api;

/// <summary>
/// A project's image table (<c>GET/PUT /api/projects/{name}/images</c>): which image serves a Travis job's language
/// version or service in this project, consulted before the runner's own table. A key is a travis-build language or
/// service name, optionally one space and a version (<c>"python 3.8"</c>, <c>"redis"</c>, <c>"ruby ruby-head"</c>); the
/// value is a Docker image reference.
/// </summary>
public sealed record ProjectImagesView(IReadOnlyDictionary<string, string> Images);

/// <summary>The whole table a <c>PUT /api/projects/{name}/images</c> puts in place of the project's; an empty map clears it.</summary>
public sealed record ProjectImagesRequest(IReadOnlyDictionary<string, string?>? Images);

/// <summary>What a project's image table may hold; the server refuses anything else, and the CLI checks before sending.</summary>
public static partial class ProjectImageRules
{
    /// <summary>The most entries a project's table may have.</summary>
    public const int MaxEntries = 200;

    /// <summary>The longest image reference accepted (Docker allows a 255-character name, a 128-character tag and a digest).</summary>
    public const int MaxImageLength = 512;

    /// <summary>What is wrong with one entry, as a sentence naming it; null when nothing is.</summary>
    public static string? Problem(string key, string? image)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsKey(key))
        {
            return $"'{Shorten(key)}' is not an image table key: write a Travis language or service name (lower case, e.g. python, node_js, redis), "
                + "optionally one space and a version (\"python 3.8\", \"ruby ruby-head\").";
        }

        if (string.IsNullOrEmpty(image))
        {
            return $"The entry '{key}' has no image: give an image reference such as python:3.8 or registry.example/redis:7.";
        }

        return IsImageReference(image) ? null
            : $"The entry '{key}' maps to '{Shorten(image)}', which is not a Docker image reference: write one such as python:3.8, "
                + "registry.example:5000/team/redis:7 or name@sha256:… (lower-case repository, no spaces).";
    }

    /// <summary>A key: a name (<c>^[a-z][a-z0-9_+.-]{0,39}$</c>), optionally followed by one space and a version.</summary>
    public static bool IsKey(string key) => KeyPattern().IsMatch(key);

    /// <summary>
    /// Whether <paramref name="image"/> is a Docker image reference as the distribution grammar defines it:
    /// <c>[host[:port]/]path[:tag][@digest]</c>, with lower-case path components, a name of 255 characters at most.
    /// </summary>
    public static bool IsImageReference(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Length > MaxImageLength || ImagePattern().Match(image) is not { Success: true } match)
        {
            return false;
        }

        return match.Groups["name"].Length <= 255;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    [GeneratedRegex(@"^[a-z][a-z0-9_+.-]{0,39}( [A-Za-z0-9][A-Za-z0-9_.+*/-]{0,63})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    // github.com/distribution/reference's grammar: domain-component ('.' domain-component)* [':' port] '/', then path
    // components of [a-z0-9]+ joined by '.', '_', '__' or '-'+, then ':' tag and/or '@' digest.
    [GeneratedRegex(
        @"^(?<name>(?:(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*(?::[0-9]{1,5})?/)?"
        + @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
        + @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
        + @"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?\z",
        RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex ImagePattern();
}
