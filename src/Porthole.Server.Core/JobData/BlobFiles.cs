using System.Buffers;
using Microsoft.Extensions.Options;
using Porthole.Server.Data;

namespace Porthole.Server.JobData;

/// <summary>
/// The blobs on disk: <c>DATA/blobs/&lt;2 hex&gt;/&lt;digest&gt;</c>, content-addressed, and the uploads still under way in
/// <c>DATA/blobs/uploads/&lt;node&gt;-&lt;digest&gt;</c> (the same file system, so a finished upload is renamed into place
/// atomically). Folders 0700, files 0600, as the rest of the data folder. Only a checked digest becomes a path.
/// </summary>
/// <remarks>
/// A blob is renamed into place only once every byte is written and its digest checked, so a server that stops (or
/// crashes) never leaves a partial blob under a digest's name. The bytes are not forced to the disk (no fsync) before the
/// rename: that would cap uploads at the disk's write speed, as <c>cp</c> is not; after a power loss the file system's
/// own ordering is what is left, and a reader checks a blob's SHA-256 against its name.
/// </remarks>
public sealed class BlobFiles(IOptions<PortholeOptions> options)
{
    private const int BufferBytes = 1024 * 1024;

    public string Root => options.Value.BlobDirectory;

    public string UploadsFolder => Path.Combine(Root, "uploads");

    /// <summary>Whether <paramref name="digest"/> is a SHA-256 as the protocol names blobs: 64 lowercase hex digits.</summary>
    public static bool IsDigest(string? digest) =>
        digest is { Length: 64 } && digest.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    public string PathOf(string digest) => Path.Combine(Root, Checked(digest)[..2], digest);

    public string PartialPathOf(long nodeId, string digest) =>
        Path.Combine(UploadsFolder, FormattableString.Invariant($"{nodeId}-{Checked(digest)}"));

    /// <summary>Makes the folders (0700), and makes one an admin mounted there (a tmpfs is 1777) the server's alone.</summary>
    public void Prepare()
    {
        foreach (var folder in (string[])[Root, UploadsFolder])
        {
            Directory.CreateDirectory(folder, DataFolder.PrivateFolder);
            if (File.GetUnixFileMode(folder) != DataFolder.PrivateFolder)
            {
                File.SetUnixFileMode(folder, DataFolder.PrivateFolder);
            }
        }
    }

    public bool Exists(string digest) => File.Exists(PathOf(digest));

    public long PartialLength(long nodeId, string digest)
    {
        var info = new FileInfo(PartialPathOf(nodeId, digest));
        return info.Exists ? info.Length : 0;
    }

    /// <summary>
    /// Appends <paramref name="content"/> to the partial file, whose first <paramref name="stored"/> bytes are there, given
    /// that <paramref name="content"/> starts at <paramref name="offset"/> (at most <paramref name="stored"/>): the bytes
    /// already stored are read and dropped. Streams through one buffer, feeding <paramref name="hash"/> each chunk written.
    /// Returns the new length (a content that breaks off with an I/O error ends the append there, keeping what came), or
    /// null when the content goes past <paramref name="size"/> (what was appended stays: the caller deletes the partial).
    /// </summary>
    public async Task<long?> AppendAsync(
        long nodeId, string digest, long stored, long offset, long size, Stream content, RunningHash hash, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            var skip = stored - offset;
            FileStream? file = null;
            try
            {
                while (true)
                {
                    int read;
                    try
                    {
                        read = await content.ReadAsync(buffer.AsMemory(0, BufferBytes), ct);
                    }
                    catch (IOException)
                    {
                        // The sender's side broke off (a dropped connection): what arrived stays, to go on from.
                        break;
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    var from = (int)Math.Min(skip, read);
                    skip -= from;
                    var count = read - from;
                    if (count == 0)
                    {
                        continue;
                    }

                    if (stored + count > size)
                    {
                        return null;
                    }

                    file ??= OpenPartialForAppend(nodeId, digest);
                    await file.WriteAsync(buffer.AsMemory(from, count), ct);
                    hash.Append(buffer.AsSpan(from, count));
                    stored += count;
                }

                return stored;
            }
            finally
            {
                if (file is not null)
                {
                    await file.DisposeAsync();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Feeds <paramref name="hash"/> the partial file's first <paramref name="length"/> bytes (none when there is no file).</summary>
    public async Task HashPartialAsync(long nodeId, string digest, long length, RunningHash hash, CancellationToken ct)
    {
        if (length == 0)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            await using var file = new FileStream(PartialPathOf(nodeId, digest), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            while (hash.Length < length)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferBytes, length - hash.Length)), ct);
                if (read == 0)
                {
                    throw new IOException($"the partial upload ended before its {length} bytes");
                }

                hash.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Renames the finished upload into place (atomic: same file system); a blob already there is left as it is.</summary>
    public void Keep(long nodeId, string digest)
    {
        var target = PathOf(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!, DataFolder.PrivateFolder);
        var partial = PartialPathOf(nodeId, digest);
        if (File.Exists(target))
        {
            DeleteFile(partial);
            return;
        }

        File.Move(partial, target, overwrite: true);
    }

    /// <summary>The blob from <paramref name="offset"/>, or null when it is not on disk or shorter than the offset.</summary>
    public FileStream? Open(string digest, long offset)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (offset > stream.Length)
        {
            stream.Dispose();
            return null;
        }

        stream.Position = offset;
        return stream;
    }

    public void DeletePartial(long nodeId, string digest) => DeleteFile(PartialPathOf(nodeId, digest));

    public void Delete(string digest) => DeleteFile(PathOf(digest));

    /// <summary>Every blob file on disk with its last write, for the sweeper's look for files no record names.</summary>
    public IEnumerable<(string Digest, DateTime WrittenUtc)> AllBlobs()
    {
        if (!Directory.Exists(Root))
        {
            yield break;
        }

        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            if (Path.GetFileName(folder) is not { Length: 2 })
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder))
            {
                var name = Path.GetFileName(file);
                if (IsDigest(name))
                {
                    yield return (name, File.GetLastWriteTimeUtc(file));
                }
            }
        }
    }

    /// <summary>Every partial upload's path with its last write.</summary>
    public IEnumerable<(string Path, DateTime WrittenUtc)> AllPartials() =>
        Directory.Exists(UploadsFolder)
            ? Directory.EnumerateFiles(UploadsFolder).Select(f => (f, File.GetLastWriteTimeUtc(f)))
            : [];

    public static void DeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private FileStream OpenPartialForAppend(long nodeId, string digest) =>
        new(PartialPathOf(nodeId, digest), new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = DataFolder.PrivateFile,
        });

    private static string Checked(string digest) =>
        IsDigest(digest) ? digest : throw new ArgumentException("A blob is named by 64 lowercase hex digits.", nameof(digest));
}
