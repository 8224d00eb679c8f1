using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Porthole.Execution.JobData;

namespace Porthole.Execution.Tests.JobData;

/// <summary>Crafted tar archives, the guard run over them, and trees on disk described for comparison.</summary>
internal static class Archives
{
    public static TarEntry File(string name, string content = "x", UnixFileMode? mode = null)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        };
        if (mode is { } set)
        {
            entry.Mode = set;
        }

        return entry;
    }

    public static TarEntry Folder(string name) => new PaxTarEntry(TarEntryType.Directory, name);

    public static TarEntry Link(string name, string target) => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target };

    public static TarEntry HardLink(string name, string target) => new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target };

    public static TarEntry Special(TarEntryType type, string name) => new PaxTarEntry(type, name);

    public static MemoryStream Make(params TarEntry[] entries)
    {
        var archive = new MemoryStream();
        using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        archive.Position = 0;
        return archive;
    }

    public static async Task<(ArchiveContents Contents, MemoryStream Output)> GuardAsync(ArchiveGuard guard, Stream archive)
    {
        var output = new MemoryStream();
        var contents = await guard.CopyAsync(archive, output, CancellationToken.None);
        output.Position = 0;
        return (contents, output);
    }

    public static async Task<ArchiveRefusedException> RefusedAsync(ArchiveGuard guard, Stream archive) =>
        await Assert.ThrowsAsync<ArchiveRefusedException>(async () => await guard.CopyAsync(archive, Stream.Null, CancellationToken.None));

    public static List<(string Name, TarEntryType Type, string Link, UnixFileMode Mode)> Read(Stream archive)
    {
        var entries = new List<(string, TarEntryType, string, UnixFileMode)>();
        using var reader = new TarReader(archive, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
        {
            entries.Add((entry.Name, entry.EntryType, entry.LinkName, entry.Mode));
        }

        archive.Position = 0;
        return entries;
    }

    /// <summary>Every path under the folder (links not followed): "dir", "file SHA mode" or "link -> target".</summary>
    public static SortedDictionary<string, string> Describe(string folder)
    {
        var tree = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(new DirectoryInfo(folder), string.Empty, tree);
        return tree;
    }

    private static void Walk(DirectoryInfo folder, string prefix, SortedDictionary<string, string> tree)
    {
        foreach (var item in folder.EnumerateFileSystemInfos())
        {
            var path = prefix + item.Name;
            if (item.LinkTarget is { } target)
            {
                tree[path] = "link -> " + target;
            }
            else if (item is DirectoryInfo sub)
            {
                tree[path] = "dir";
                Walk(sub, path + "/", tree);
            }
            else
            {
                var hash = Convert.ToHexString(SHA256.HashData(System.IO.File.ReadAllBytes(item.FullName)))[..12];
                tree[path] = $"file {hash} {Convert.ToString((int)item.UnixFileMode, 8)}";
            }
        }
    }
}
