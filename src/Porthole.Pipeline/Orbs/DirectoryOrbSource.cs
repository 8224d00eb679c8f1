using System.Text;

namespace Porthole.Pipeline.Orbs;

/// <summary>
/// Registry orbs kept as files (§A4): <c>root/ns/name/x.y.z.yml</c>, each the packaged source <c>circleci orb source</c>
/// prints (<see cref="OrbFileNames"/> for dev versions). Read by the server's orb store and by <c>porthole config validate --orbs DIR</c>;
/// it only reads, and answers from the disk alone. Files that are symbolic links, larger than <see cref="OrbSourceText.MaxBytes"/>
/// or not UTF-8 are not orbs this source holds.
/// </summary>
public sealed class DirectoryOrbSource : IOrbSource
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public DirectoryOrbSource(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The store's folder, as an absolute path.</summary>
    public string Root { get; }

    public OrbDocument? Find(OrbReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (Resolve(reference) is not { } version || FileOf(reference.Namespace, reference.Name, version) is not { } path)
        {
            return null;
        }

        return Read(path) is { } text ? new OrbDocument(reference.Namespace, reference.Name, version, text) : null;
    }

    /// <summary>
    /// The version <paramref name="reference"/> resolves to here: itself when exact and stored, else the newest stored version
    /// it admits by number (1.10.0 before 1.9.0); <c>dev:label</c> only exactly. Null when none is stored.
    /// </summary>
    public string? Resolve(OrbReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (OrbFolder(reference.Namespace, reference.Name) is not { } folder || !Directory.Exists(folder))
        {
            return null;
        }

        if (reference.IsExact)
        {
            return FileOf(reference.Namespace, reference.Name, reference.Version) is { } exact && IsPlainFile(exact) ? reference.Version : null;
        }

        return OrbVersions.Newest(reference, StoredVersions(folder).Select(stored => stored.Version));
    }

    /// <summary>
    /// Where the exact version <paramref name="version"/> of <c>ns/name</c> is stored, whether it is there or not; null when
    /// the names or the version are not of the reference grammar (so no path outside <see cref="Root"/> is ever made).
    /// </summary>
    public string? FileOf(string @namespace, string name, string version)
    {
        if (OrbFolder(@namespace, name) is not { } folder || OrbFileNames.Of(version) is not { } fileName)
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(folder, fileName));
        return path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? path : null;
    }

    /// <summary>Every orb version stored, by namespace, name and version (oldest first).</summary>
    public IReadOnlyList<OrbDocumentInfo> List()
    {
        var found = new List<OrbDocumentInfo>();
        if (!Directory.Exists(Root))
        {
            return found;
        }

        foreach (var @namespace in Folders(Root))
        {
            foreach (var name in Folders(Path.Combine(Root, @namespace)))
            {
                foreach (var (version, file) in StoredVersions(Path.Combine(Root, @namespace, name)))
                {
                    found.Add(new OrbDocumentInfo(@namespace, name, version, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero)));
                }
            }
        }

        return [.. found
            .OrderBy(orb => orb.Namespace, StringComparer.Ordinal)
            .ThenBy(orb => orb.Name, StringComparer.Ordinal)
            .ThenBy(orb => orb.Version, OrbVersions.Order)];
    }

    /// <summary>The file's text; null when it is missing, too large, a link or not UTF-8.</summary>
    public static string? Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            if (!IsPlainFile(path))
            {
                return null;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[OrbSourceText.MaxBytes + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            return total > OrbSourceText.MaxBytes ? null : StrictUtf8.GetString(buffer, 0, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            return null;
        }
    }

    private string? OrbFolder(string @namespace, string name) =>
        OrbFileNames.IsName(@namespace) && OrbFileNames.IsName(name) ? Path.Combine(Root, @namespace, name) : null;

    private static IEnumerable<(string Version, FileInfo File)> StoredVersions(string folder)
    {
        IEnumerable<FileInfo> files;
        try
        {
            files = new DirectoryInfo(folder).EnumerateFiles("*" + OrbFileNames.Extension).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var file in files)
        {
            if (file.LinkTarget is null && OrbFileNames.VersionOf(file.Name) is { } version)
            {
                yield return (version, file);
            }
        }
    }

    private static IEnumerable<string> Folders(string parent)
    {
        try
        {
            return [.. new DirectoryInfo(parent).EnumerateDirectories()
                .Where(folder => folder.LinkTarget is null && OrbFileNames.IsName(folder.Name))
                .Select(folder => folder.Name)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool IsPlainFile(string path)
    {
        var file = new FileInfo(path);
        return file.Exists && file.LinkTarget is null;
    }
}
