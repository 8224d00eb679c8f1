using Porthole.Execution.JobData;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// The checks a cache's and a workspace layer's archive pass on their way up and down (decision 11). A link may point
/// out of the roots (a virtualenv's <c>bin/python -&gt; /usr/bin/python3</c>, cached on every Python project): a link
/// writes nothing where it points. What is refused is any entry that would be written outside: <c>..</c>, absolute
/// names, names through a link the archive made, devices, hard links out of the archive.
/// </summary>
internal static class ArchiveGuards
{
    /// <summary>
    /// GNU tar's format out: PAX writes an extended header of times for every entry, a fifth more bytes and a third more
    /// time for a tree of small files (node_modules); GNU and busybox tar read both.
    /// </summary>
    private const System.Formats.Tar.TarEntryFormat Format = System.Formats.Tar.TarEntryFormat.Gnu;

    /// <summary>How much of an archive is gathered before it is compressed or written to a node's tar (a tar writes 512 bytes at a time).</summary>
    public const int BufferBytes = 256 * 1024;

    /// <summary>A cache: extracted at its base (the node's home, or <c>/</c>); every entry at or below the paths it was saved from.</summary>
    public static ArchiveGuard ForCache(CachePaths paths) => new(paths.Names, paths.Base.Length == 0 ? "/" : paths.Base, Format) { LinksMayLeaveRoots = true };

    /// <summary>A workspace layer: extracted in <paramref name="folder"/>; every entry at or below <paramref name="names"/> (all of it when empty).</summary>
    public static ArchiveGuard ForWorkspace(IReadOnlyList<string> names, string folder) => new(names, folder, Format) { LinksMayLeaveRoots = true };
}
