using System.Formats.Tar;

namespace Porthole.Execution.JobData;

/// <summary>What an archive held, as <see cref="ArchiveGuard"/> passed it on.</summary>
/// <param name="Files">The relative paths of its files and links (not folders), each once, in archive order: a workspace layer's conflict list.</param>
/// <param name="Bytes">The bytes of its files' contents.</param>
/// <param name="Entries">The entries written out.</param>
public sealed record ArchiveContents(IReadOnlyList<string> Files, long Bytes, int Entries);

/// <summary>
/// Copies a tar stream to another, entry by entry, only while every entry is one a real <c>tar -x</c> can extract
/// without writing outside its folder and the allowed roots (the zip-slip attacks of caches and workspaces, issue 11).
/// Refused: absolute and <c>..</c> names; devices, fifos and other special files; an entry through, or in place of, a
/// link the archive made earlier; a link whose target leaves the allowed roots (resolved lexically from its folder; an
/// absolute target against <see cref="ExtractedAt"/>); a hard link to anything but an earlier file of the archive.
/// A link loop is just links (tar does not follow them) and passes. The output never carries setuid or setgid bits,
/// and leaves out the folders above the roots (their mode and owner are not the archive's to change).
/// </summary>
public sealed class ArchiveGuard
{
    private const UnixFileMode SetIds = UnixFileMode.SetUser | UnixFileMode.SetGroup;

    private readonly TarEntryFormat _format;

    /// <param name="allowedRoots">
    /// The paths entries must be at or below, relative to <paramref name="extractedAt"/> (or absolute inside it), such as
    /// <c>home/u/.npm</c>; folders above them may be entries too. Empty: anything relative.
    /// </param>
    /// <param name="extractedAt">The absolute folder the output is extracted in (<c>/</c> for caches); absolute link targets are read against it.</param>
    /// <param name="format">The output's tar format: PAX (the default) or GNU.</param>
    public ArchiveGuard(IEnumerable<string> allowedRoots, string extractedAt = "/", TarEntryFormat format = TarEntryFormat.Pax)
    {
        ArgumentNullException.ThrowIfNull(allowedRoots);
        if (!extractedAt.StartsWith('/'))
        {
            throw new ArgumentException($"The extraction folder must be absolute, not \"{extractedAt}\".", nameof(extractedAt));
        }

        if (format is not (TarEntryFormat.Pax or TarEntryFormat.Gnu))
        {
            throw new ArgumentException($"The output is PAX or GNU, not {format}: the other formats cannot hold long names.", nameof(format));
        }

        ExtractedAt = "/" + ArchivePaths.Below("/", extractedAt);
        var roots = allowedRoots.Select(Root).Distinct(StringComparer.Ordinal).ToList();
        AllowedRoots = roots.Count == 0 ? [string.Empty] : roots;
        _format = format;
    }

    /// <summary>The roots as canonical relative paths; "" (what an empty list becomes) is the whole folder.</summary>
    public IReadOnlyList<string> AllowedRoots { get; }

    public string ExtractedAt { get; }

    /// <summary>
    /// Lets links point anywhere (a Python virtualenv's <c>bin/python -&gt; /usr/bin/python3</c>); entries through
    /// links stay refused. Off by default: a link out of a cache lets a later step write where the cache had no business.
    /// </summary>
    public bool LinksMayLeaveRoots { get; init; }

    /// <summary>
    /// Copies <paramref name="source"/> (a tar) to <paramref name="destination"/>; throws <see cref="ArchiveRefusedException"/>
    /// at the first entry refused, or for data that is not a tar. The entries before it are written (each of them safe);
    /// the refused entry and what follows are not, and the output ends in a block that makes a <c>tar -x</c> reading it
    /// fail rather than take it as complete.
    /// </summary>
    public async Task<ArchiveContents> CopyAsync(Stream source, Stream destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var state = new CopyState();
        var reader = new TarReader(source, leaveOpen: true);
        var writer = new TarWriter(destination, _format, leaveOpen: true);
        try
        {
            while (await NextAsync(reader, state, ct) is { } entry)
            {
                var copy = Check(entry, state);
                if (copy is null)
                {
                    continue;
                }

                await writer.WriteEntryAsync(copy, ct);
                state.Entries++;
            }
        }
        catch (ArchiveRefusedException)
        {
            await PoisonAsync(destination);
            throw;
        }

        await writer.DisposeAsync();
        await reader.DisposeAsync();
        return new ArchiveContents(state.Files, state.Bytes, state.Entries);
    }

    /// <summary>
    /// Ends a refused output with a block no tar takes for a header: GNU and busybox tar take an archive that stops
    /// between entries as complete (exit 0), but fail on this (exit 2 and 1), so a pipe into <c>tar -x</c> fails too.
    /// </summary>
    private static async Task PoisonAsync(Stream destination)
    {
        try
        {
            var block = new byte[512];
            Array.Fill(block, (byte)0xFF);
            await destination.WriteAsync(block);
            await destination.FlushAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            // The reader is gone already (a tar that stopped reading): it has failed on its own.
        }
    }

    private static async Task<TarEntry?> NextAsync(TarReader reader, CopyState state, CancellationToken ct)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, ct);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            var after = state.Last is null ? "at its start" : $"after entry \"{state.Last}\"";
            throw new ArchiveRefusedException($"Refused the archive: it is not a valid tar {after} ({e.Message}).", e);
        }
    }

    private static ArchiveRefusedException Refused(TarEntry entry, string why) =>
        new($"Refused the archive at entry \"{entry.Name}\": it {why}.");

    private static string TypeName(TarEntryType type) => type switch
    {
        TarEntryType.CharacterDevice => "a character device",
        TarEntryType.BlockDevice => "a block device",
        TarEntryType.Fifo => "a fifo",
        TarEntryType.SparseFile => "a sparse file",
        _ => $"an entry of type {type}",
    };

    private string Root(string root)
    {
        var relative = root.StartsWith('/') ? ArchivePaths.Below(ExtractedAt, root) : root;
        var canonical = relative is null ? null : ArchivePaths.Normalize(relative.Length == 0 ? "." : relative, out _);
        return canonical ?? throw new ArgumentException(
            $"The allowed root \"{root}\" is not a path inside {ExtractedAt} without '..'.", nameof(root));
    }

    /// <summary>The entry to write for <paramref name="entry"/>, null to leave it out, or a refusal.</summary>
    private TarEntry? Check(TarEntry entry, CopyState state)
    {
        state.Last = entry.Name;
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
        {
            // A PAX global header (git archive's commit id) describes no file.
            return null;
        }

        var path = ArchivePaths.Normalize(entry.Name, out var problem) ?? throw Refused(entry, problem);
        var kind = entry.EntryType switch
        {
            TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => EntryKind.File,
            TarEntryType.Directory => EntryKind.Folder,
            TarEntryType.SymbolicLink => EntryKind.Link,
            TarEntryType.HardLink => EntryKind.HardLink,
            _ => throw Refused(entry, $"is {TypeName(entry.EntryType)}; only files, folders and links are extracted"),
        };

        if (path.Length == 0)
        {
            // "./": the extraction folder itself, whose mode and owner are not the archive's to change.
            return kind == EntryKind.Folder ? null : throw Refused(entry, "names the folder it is extracted in, and is not a folder");
        }

        if (ArchivePaths.Ancestors(path).FirstOrDefault(state.Links.Contains) is { } link)
        {
            throw Refused(entry, $"goes through \"{link}\", a link the archive made earlier");
        }

        if (kind != EntryKind.Link && state.Links.Contains(path))
        {
            throw Refused(entry, $"replaces \"{path}\", a link the archive made earlier, which tar could write through");
        }

        if (!AllowedRoots.Any(root => ArchivePaths.IsAtOrBelow(path, root)))
        {
            return kind == EntryKind.Folder && AllowedRoots.Any(root => ArchivePaths.IsAtOrBelow(root, path))
                ? null
                : throw Refused(entry, $"is outside the paths this archive may hold ({string.Join(", ", AllowedRoots)})");
        }

        var linkName = kind switch
        {
            EntryKind.Link => CheckLink(entry, path),
            EntryKind.HardLink => CheckHardLink(entry, path, state),
            _ => null,
        };

        state.Record(path, kind, entry.Length);
        return Copy(entry, kind == EntryKind.Folder ? path + "/" : path, linkName);
    }

    private string CheckLink(TarEntry entry, string path)
    {
        if (LinksMayLeaveRoots)
        {
            return entry.LinkName.Length > 0 && !entry.LinkName.Contains('\0', StringComparison.Ordinal)
                ? entry.LinkName
                : throw Refused(entry, "is a link with an empty target or a NUL in it");
        }

        var target = ArchivePaths.ResolveLink(path, entry.LinkName, ExtractedAt, out var problem) ?? throw Refused(entry, problem);
        return AllowedRoots.Any(root => ArchivePaths.IsAtOrBelow(target, root))
            ? entry.LinkName
            : throw Refused(entry, $"is a link to {entry.LinkName}, outside the paths this archive may hold ({string.Join(", ", AllowedRoots)})");
    }

    private static string CheckHardLink(TarEntry entry, string path, CopyState state)
    {
        var target = ArchivePaths.Normalize(entry.LinkName, out var problem)
            ?? throw Refused(entry, $"is a hard link whose target \"{entry.LinkName}\" {problem}");
        if (!state.Kinds.TryGetValue(target, out var targetKind) || targetKind == EntryKind.Folder)
        {
            throw Refused(entry, $"is a hard link to \"{entry.LinkName}\", which is not an earlier file of the archive");
        }

        if (targetKind == EntryKind.Link)
        {
            // A hard link to a symbolic link is that link again: nothing may go through it either.
            state.Links.Add(path);
        }

        return target;
    }

    private TarEntry Copy(TarEntry entry, string name, string? linkName)
    {
        if (entry.DataStream is { CanSeek: false } data)
        {
            // A pipe's entry into a pipe: the writer needs the length up front, which the header gave. (A converted
            // entry would carry the reader's stream, and setting another one disposes it.)
            return Fresh(entry, name, linkName, new KnownLengthStream(data, entry.Length));
        }

        TarEntry copy = _format == TarEntryFormat.Gnu ? new GnuTarEntry(entry) : new PaxTarEntry(entry);
        copy.Name = name;
        copy.Mode = entry.Mode & ~SetIds;
        if (linkName is not null)
        {
            copy.LinkName = linkName;
        }

        return copy;
    }

    /// <summary>A new entry of the output's format with the entry's header fields (not its extended attributes) and the given data.</summary>
    private TarEntry Fresh(TarEntry entry, string name, string? linkName, Stream data)
    {
        var type = entry.EntryType is TarEntryType.V7RegularFile or TarEntryType.ContiguousFile ? TarEntryType.RegularFile : entry.EntryType;
        TarEntry copy = _format == TarEntryFormat.Gnu ? new GnuTarEntry(type, name) : new PaxTarEntry(type, name);
        copy.Mode = entry.Mode & ~SetIds;
        copy.ModificationTime = entry.ModificationTime;
        copy.Uid = entry.Uid;
        copy.Gid = entry.Gid;
        if (entry is PosixTarEntry posix && copy is PosixTarEntry target)
        {
            target.UserName = posix.UserName;
            target.GroupName = posix.GroupName;
        }

        var link = linkName ?? entry.LinkName;
        if (!string.IsNullOrEmpty(link))
        {
            copy.LinkName = link;
        }

        copy.DataStream = data;
        return copy;
    }

    private enum EntryKind
    {
        File,
        Folder,
        Link,
        HardLink,
    }

    /// <summary>What the copy has seen so far.</summary>
    private sealed class CopyState
    {
        private readonly HashSet<string> _listed = new(StringComparer.Ordinal);

        /// <summary>Every path the archive made a link at, even if a later entry replaced it: tar may have kept the link.</summary>
        public HashSet<string> Links { get; } = new(StringComparer.Ordinal);

        /// <summary>What each path is now, for hard links.</summary>
        public Dictionary<string, EntryKind> Kinds { get; } = new(StringComparer.Ordinal);

        public List<string> Files { get; } = [];

        public long Bytes { get; set; }

        public int Entries { get; set; }

        public string? Last { get; set; }

        public void Record(string path, EntryKind kind, long length)
        {
            if (kind == EntryKind.Link)
            {
                Links.Add(path);
            }

            Kinds[path] = kind == EntryKind.HardLink ? (Links.Contains(path) ? EntryKind.Link : EntryKind.File) : kind;
            if (kind == EntryKind.File)
            {
                Bytes += length;
            }

            if (kind != EntryKind.Folder && _listed.Add(path))
            {
                Files.Add(path);
            }
        }
    }
}
