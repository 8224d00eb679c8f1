using System.Globalization;

namespace Porthole.Cli.Client;

/// <summary>
/// The folder <c>porthole artifacts --download DIR</c> writes into. An artifact goes to <c>DIR/&lt;node index&gt;/&lt;path&gt;</c>;
/// a path the server lists is not trusted: one that is absolute, climbs with <c>..</c>, or meets a symbolic link already in
/// the folder is refused, so that nothing is ever written outside it (a zip-slip through a listing).
/// </summary>
public sealed class DownloadFolder
{
    public DownloadFolder(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Display = path;
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
    }

    /// <summary>The folder as the user typed it, for messages.</summary>
    public string Display { get; }

    /// <summary>The folder's absolute path.</summary>
    public string Root { get; }

    /// <summary>
    /// The file an artifact is written to, below <see cref="Root"/>; throws <see cref="CliException"/> when the path would
    /// leave the folder, by its text (absolute, <c>..</c>) or through a symbolic link that is already there.
    /// </summary>
    public string Place(int nodeIndex, string artifactPath)
    {
        var segments = Segments(nodeIndex, artifactPath);
        var target = Path.GetFullPath(Path.Combine([Root, .. segments]));
        if (!target.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw Outside(nodeIndex, artifactPath, "its path leads out of the folder");
        }

        var current = Root;
        foreach (var segment in segments)
        {
            current = Path.Combine(current, segment);
            if (IsLink(current))
            {
                throw Outside(nodeIndex, artifactPath, $"{current} is a symbolic link, which could lead anywhere");
            }
        }

        return target;
    }

    /// <summary>
    /// Creates the folders above <paramref name="target"/> (a result of <see cref="Place"/>) one level at a time, refusing a
    /// symbolic link met on the way (one made since <see cref="Place"/> looked), so that no folder is made outside.
    /// </summary>
    public void CreateFoldersFor(string target, int nodeIndex, string artifactPath)
    {
        var parent = Path.GetDirectoryName(target) ?? Root;
        Directory.CreateDirectory(Root);
        var current = Root;
        foreach (var segment in Path.GetRelativePath(Root, parent).Split(Path.DirectorySeparatorChar))
        {
            if (segment is "." or "")
            {
                continue;
            }

            current = Path.Combine(current, segment);
            if (IsLink(current))
            {
                throw Outside(nodeIndex, artifactPath, $"{current} is a symbolic link, which could lead anywhere");
            }

            if (File.Exists(current))
            {
                throw new CliException($"artifact '{Shown(artifactPath)}' of node {nodeIndex} cannot be written: {current} is a file, not a folder");
            }

            Directory.CreateDirectory(current);
        }
    }

    private List<string> Segments(int nodeIndex, string artifactPath)
    {
        if (nodeIndex < 0)
        {
            throw new CliException($"artifact '{Shown(artifactPath)}' has node index {nodeIndex}, which names no folder: refused");
        }

        if (string.IsNullOrEmpty(artifactPath) || artifactPath.Contains('\0', StringComparison.Ordinal))
        {
            throw Outside(nodeIndex, artifactPath, "its path is empty or holds a NUL character");
        }

        if (artifactPath.StartsWith('/') || Path.IsPathRooted(artifactPath))
        {
            throw Outside(nodeIndex, artifactPath, "its path is absolute");
        }

        var segments = new List<string> { nodeIndex.ToString(CultureInfo.InvariantCulture) };
        foreach (var segment in artifactPath.Split('/'))
        {
            if (segment == "..")
            {
                throw Outside(nodeIndex, artifactPath, "its path climbs out with '..'");
            }

            if (segment is not ("" or "."))
            {
                segments.Add(segment);
            }
        }

        if (segments.Count == 1)
        {
            throw Outside(nodeIndex, artifactPath, "its path names no file");
        }

        return segments;
    }

    /// <summary>Whether the path is a symbolic link (to anything, or dangling); false when nothing is there.</summary>
    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    private CliException Outside(int nodeIndex, string artifactPath, string why) =>
        new($"artifact '{Shown(artifactPath)}' of node {nodeIndex} would be written outside {Display} ({why}): refused, nothing was written outside {Display}");

    /// <summary>The path as the server sent it, with control characters made visible (it is untrusted text for a terminal).</summary>
    internal static string Shown(string text)
    {
        var shown = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                shown.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                shown.Append(c);
            }
        }

        return shown.ToString();
    }
}
