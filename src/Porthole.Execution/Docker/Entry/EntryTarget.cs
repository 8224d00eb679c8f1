namespace Porthole.Execution.Docker.Entry;

/// <summary>
/// A request target taken apart: an optional API version (<c>/v1.41</c>), the path's segments and the query's pairs.
/// Only letters, digits and <c>. _ -</c> are taken in segments: no percent-encoding, so what the filter compares is what
/// the engine routes; no empty, <c>.</c> or <c>..</c> segment, so no path the engine would clean into another. The query
/// is taken apart as sent and checked by <see cref="QueryProblem"/> for the route it came with.
/// </summary>
internal sealed record EntryTarget(string? Version, IReadOnlyList<string> Segments, IReadOnlyList<KeyValuePair<string, string>> Query)
{
    private const int MaxLength = 2048;

    /// <summary>The path the filter speaks of in a refusal (the client's own, in the characters allowed).</summary>
    public string Path => (Version is null ? "" : "/" + Version) + "/" + string.Join('/', Segments);

    public static EntryTarget? Parse(string target, out string? problem)
    {
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? "" : target[(question + 1)..];
        if (path.Contains('%', StringComparison.Ordinal))
        {
            problem = "the request's path may not hold percent-encoding";
            return null;
        }

        if (target.Length > MaxLength || !path.All(c => IsNameChar(c) || c == '/'))
        {
            problem = "the request's path holds characters other than letters, digits and . _ - /";
            return null;
        }

        var segments = path.Split('/')[1..];
        if (segments.Any(s => s is "" or "." or ".."))
        {
            problem = "the request's path has an empty, '.' or '..' segment";
            return null;
        }

        string? version = null;
        if (segments.Length > 1 && IsVersion(segments[0]))
        {
            version = segments[0];
            segments = segments[1..];
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(equals < 0 ? new(pair, "") : new(pair[..equals], pair[(equals + 1)..]));
        }

        problem = null;
        return new EntryTarget(version, segments, pairs);
    }

    /// <summary>The target to send on: the same version and query, these segments (the container's reference made its id).</summary>
    public string Build(params string[] segments)
    {
        var target = (Version is null ? "" : "/" + Version) + "/" + string.Join('/', segments);
        return Query.Count == 0 ? target : target + "?" + string.Join('&', Query.Select(p => p.Key + "=" + p.Value));
    }

    /// <summary>Null when every query parameter is one of <paramref name="allowed"/> (a value of digits or true/false, given once).</summary>
    public string? QueryProblem(params IReadOnlyList<string> allowed)
    {
        foreach (var (key, value) in Query)
        {
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                return $"the query parameter '{key}' is not taken here";
            }

            if (Query.Count(p => p.Key == key) > 1 || value.Length is 0 or > 10 || !(value.All(char.IsAsciiDigit) || value is "true" or "false"))
            {
                return $"the query parameter '{key}' must be given once, as a number or true/false";
            }
        }

        return null;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';

    // v1.41: the engine's router takes /v{version}/ before every path.
    private static bool IsVersion(string segment) =>
        segment.Length is >= 4 and <= 8 && segment[0] == 'v' && segment[1..].Split('.') is [{ Length: > 0 } major, { Length: > 0 } minor]
            && major.All(char.IsAsciiDigit) && minor.All(char.IsAsciiDigit);
}
