using System.Text.RegularExpressions;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// A <c>cache.directories</c> entry as the node will find it. Travis hands the entries to its cache tool through the
/// job's shell, so <c>$HOME/.m2</c> and <c>$SCONS_CACHE</c> (set in <c>env:</c>) are expanded there; a cache step here
/// runs outside that shell, so what the config itself defines is expanded now: <c>$HOME</c> becomes <c>~</c>,
/// <c>$TRAVIS_BUILD_DIR</c> the checkout, and a variable of the job's <c>env:</c> its value. Anything else is kept as
/// written, with a warning: the node skips a path that does not exist.
/// </summary>
internal static partial class TravisCachePaths
{
    /// <summary>A value that names another that names another…: enough for real configs, and an end to a loop.</summary>
    private const int MaxExpansions = 8;

    public static string Resolve(string directory, Node at, IReadOnlyList<EnvWord> environment, ErrorList errors)
    {
        var path = directory.Trim();
        string? unknown = null;
        for (var round = 0; round < MaxExpansions && path.Contains('$', StringComparison.Ordinal) && unknown is null; round++)
        {
            var before = path;
            path = Variable().Replace(path, match =>
            {
                var name = match.Groups["braced"].Success ? match.Groups["braced"].Value : match.Groups["plain"].Value;
                switch (name)
                {
                    case "HOME" or "TRAVIS_HOME" when match.Index == 0:
                        return "~";
                    case "TRAVIS_BUILD_DIR" when match.Index == 0:
                        return ".";
                }

                if (environment.LastOrDefault(word => word.Name == name) is { } word && !word.Value.Contains('`', StringComparison.Ordinal))
                {
                    return word.Value;
                }

                unknown ??= match.Value;
                return match.Value;
            });
            if (path == before)
            {
                break;
            }
        }

        path = Tidy(path);
        if (unknown is not null || path.Contains('$', StringComparison.Ordinal) || path.Contains('`', StringComparison.Ordinal))
        {
            var what = unknown is null ? "a shell expansion" : $"{unknown}, which the config does not set,";
            errors.Warn(at, $"cache directory '{directory}' uses {what} so it is cached as written ('{path}'); the upload skips it if no such path exists");
        }
        else if (path.IndexOfAny(['*', '?', '[']) >= 0)
        {
            errors.Warn(at, $"cache directory '{directory}' is a shell pattern, which is not expanded here; it is cached as written, so name the folders it stands for");
        }

        return path;
    }

    /// <summary><c>./x</c> and <c>~/./x/</c> as <c>x</c> and <c>~/x</c>: one spelling per folder, so a folder listed twice is cached once.</summary>
    private static string Tidy(string path)
    {
        var prefix = path.StartsWith("~/", StringComparison.Ordinal) ? "~/" : path.StartsWith('/') ? "/" : "";
        var rest = path == "~" ? "" : path[prefix.Length..];
        var segments = rest.Split('/').Where(segment => segment is not ("" or ".")).ToList();
        var tidy = prefix + string.Join('/', segments);
        return tidy switch
        {
            "" => path == "~" ? "~" : ".",
            "~/" => "~",
            _ => tidy,
        };
    }

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?<plain>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Variable();
}
