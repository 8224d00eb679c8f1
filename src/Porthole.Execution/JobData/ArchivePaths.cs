namespace Porthole.Execution.JobData;

/// <summary>
/// The path arithmetic of <see cref="ArchiveGuard"/>, lexical only (nothing on disk is looked at): an entry's name made
/// canonical, a link's target resolved from the link's folder, both relative to the folder the archive is extracted in.
/// A path is '/'-separated without <c>.</c> parts or a trailing '/'; "" is the folder itself.
/// </summary>
internal static class ArchivePaths
{
    /// <summary>An entry's name made canonical (<c>./a//b/</c> → <c>a/b</c>); null with the reason when it may not be extracted.</summary>
    public static string? Normalize(string name, out string problem)
    {
        problem = string.Empty;
        if (name.Length == 0)
        {
            problem = "has an empty name";
            return null;
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            problem = "has a NUL character in its name";
            return null;
        }

        if (name.StartsWith('/'))
        {
            problem = "is an absolute path; entries must be relative to the folder they are extracted in";
            return null;
        }

        var parts = Split(name);
        if (parts.Contains(".."))
        {
            problem = "has a '..' part, which would write outside the folder it is extracted in";
            return null;
        }

        return string.Join('/', parts);
    }

    /// <summary>
    /// Where a link at <paramref name="linkPath"/> points, relative to the extraction folder; null with the reason when it
    /// leaves that folder, or climbs (<c>..</c>) after descending, where a link the archive made could take it elsewhere.
    /// </summary>
    public static string? ResolveLink(string linkPath, string target, string extractedAt, out string problem)
    {
        problem = string.Empty;
        if (target.Length == 0 || target.Contains('\0', StringComparison.Ordinal))
        {
            problem = "is a link with an empty target or a NUL in it";
            return null;
        }

        List<string> resolved;
        if (target.StartsWith('/'))
        {
            var relative = Below(extractedAt, target);
            if (relative is null)
            {
                problem = $"is a link to {target}, outside the folder the archive is extracted in ({extractedAt})";
                return null;
            }

            resolved = [];
            target = relative;
        }
        else
        {
            resolved = [.. Split(linkPath)];
            resolved.RemoveAt(resolved.Count - 1);
        }

        var descended = false;
        foreach (var part in Split(target))
        {
            if (part != "..")
            {
                resolved.Add(part);
                descended = true;
            }
            else if (descended)
            {
                problem = $"is a link to {target}, which climbs back up after going down (a link on the way could lead anywhere)";
                return null;
            }
            else if (resolved.Count == 0)
            {
                problem = $"is a link to {target}, which leaves the folder the archive is extracted in";
                return null;
            }
            else
            {
                resolved.RemoveAt(resolved.Count - 1);
            }
        }

        return string.Join('/', resolved);
    }

    /// <summary>The path of an absolute <paramref name="path"/> relative to <paramref name="folder"/> (absolute), or null when not in it.</summary>
    public static string? Below(string folder, string path)
    {
        var folderParts = Split(folder);
        var parts = Split(path);
        if (parts.Length < folderParts.Length || !parts.AsSpan(0, folderParts.Length).SequenceEqual(folderParts))
        {
            return null;
        }

        return string.Join('/', parts[folderParts.Length..]);
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it ("" holds everything).</summary>
    public static bool IsAtOrBelow(string path, string root) =>
        root.Length == 0 || path == root || (path.Length > root.Length && path[root.Length] == '/' && path.StartsWith(root, StringComparison.Ordinal));

    /// <summary>The folders above a path, nearest the top first: <c>a/b/c</c> → <c>a</c>, <c>a/b</c>.</summary>
    public static IEnumerable<string> Ancestors(string path)
    {
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            yield return path[..slash];
        }
    }

    private static string[] Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(part => part != ".").ToArray();
}
