using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Data;

namespace Porthole.Server.JobData;

/// <summary>
/// The runner protocol's blobs: uploads by offset into a partial file per node and digest (bytes already stored are
/// skipped, a gap is refused, bytes past the declared size refuse the upload), checked against their digest once complete
/// and renamed into place; a digest already kept is complete at once. A blob is kept while a record or a running node's
/// upload names it (<see cref="DeleteIfUnnamedAsync"/>). Nothing of a refused upload stays, and a full disk is said so.
/// </summary>
public sealed partial class BlobStore(
    IDbContextFactory<PortholeDb> dbFactory, BlobFiles files, UploadHashes hashes, TimeProvider time, ILogger<BlobStore> logger)
{
    public const string DiskFull = "the server's disk is full";

    private readonly StripedLock _digests = new();
    private readonly StripedLock _uploads = new();

    public BlobFiles Files => files;

    public async Task<BlobUploadResult> UploadAsync(long nodeId, string digest, long size, long offset, Stream content, CancellationToken ct)
    {
        if (!BlobFiles.IsDigest(digest))
        {
            return Refused($"'{Shown(digest)}' is not a blob digest: a blob is named by the SHA-256 of its bytes, 64 lowercase hex digits");
        }

        if (size < 0 || offset < 0)
        {
            return Refused($"the size ({size}) and the offset ({offset}) must be 0 or more");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await LeasedNode.FindAsync(db, nodeId, ct) is null)
        {
            return Refused(LeasedNode.NoLease(nodeId));
        }

        if (await KeptAsync(db, nodeId, digest, size, ct) is { } kept)
        {
            // Bytes this node sent before another's upload of the same blob finished are not needed any more.
            using (await _uploads.EnterAsync(UploadKey(nodeId, digest), ct))
            {
                DeletePartial(nodeId, digest);
            }

            return kept;
        }

        using var held = await _uploads.EnterAsync(UploadKey(nodeId, digest), ct);
        try
        {
            var stored = files.PartialLength(nodeId, digest);
            if (stored > size)
            {
                DeletePartial(nodeId, digest);
                return Refused($"{stored} bytes of blob {digest} were stored, more than the {size} declared now; upload it again from 0");
            }

            if (offset > stored)
            {
                return new BlobUploadResult(BlobUploadOutcome.Gap, stored);
            }

            var hash = await hashes.ForAsync(nodeId, digest, stored, ct);
            var appended = await files.AppendAsync(nodeId, digest, stored, offset, size, content, hash, ct);
            if (appended is not { } length)
            {
                DeletePartial(nodeId, digest);
                return Refused($"more bytes were sent than the {size} declared for blob {digest}; nothing of it is kept");
            }

            if (length < size)
            {
                return new BlobUploadResult(BlobUploadOutcome.Partial, length);
            }

            var actual = hash.Finish();
            hashes.Drop(nodeId, digest);
            if (actual != digest)
            {
                DeletePartial(nodeId, digest);
                return Refused($"the {size} bytes sent have the SHA-256 {actual}, not {digest}; nothing of it is kept");
            }

            using (await _digests.EnterAsync(digest, ct))
            {
                files.Keep(nodeId, digest);
                await RecordAsync(db, nodeId, digest, size, ct);
            }

            return new BlobUploadResult(BlobUploadOutcome.Complete, size);
        }
        catch (IOException e)
        {
            DeletePartial(nodeId, digest);
            if (IsDiskFull(e))
            {
                LogDiskFull(logger, nodeId, digest);
                return Refused($"{DiskFull}: blob {digest} ({size} bytes) cannot be stored; nothing of it is kept");
            }

            LogStoreFailed(logger, e, nodeId, digest);
            return Refused($"the server could not store blob {digest} (its log says why); nothing of it is kept");
        }
    }

    /// <summary>A kept blob from <paramref name="offset"/>, once the caller has checked the node may read it.</summary>
    public async Task<BlobDownload?> OpenAsync(PortholeDb db, string digest, long offset, CancellationToken ct)
    {
        var size = await db.Blobs.Where(b => b.Digest == digest).Select(b => (long?)b.Size).SingleOrDefaultAsync(ct);
        if (size is null || offset < 0)
        {
            return null;
        }

        var stream = files.Open(digest, offset);
        return stream is null ? null : new BlobDownload(stream.Length, stream);
    }

    /// <summary>Whether the node uploaded the blob (or found it kept) and it is kept with <paramref name="size"/> bytes: what a record may name.</summary>
    public static async Task<string?> UnnameableAsync(PortholeDb db, long nodeId, string digest, long size, CancellationToken ct)
    {
        if (!BlobFiles.IsDigest(digest))
        {
            return $"'{Shown(digest)}' is not a blob digest (64 lowercase hex digits)";
        }

        var kept = await (from u in db.NodeBlobs
                          where u.NodeId == nodeId && u.Digest == digest
                          join b in db.Blobs on u.Digest equals b.Digest
                          select (long?)b.Size).SingleOrDefaultAsync(ct);
        return kept switch
        {
            null => $"blob {digest} was not uploaded by this node; upload it first",
            { } stored when stored != size => $"blob {digest} has {stored} bytes, not {size}",
            _ => null,
        };
    }

    /// <summary>After a record named the blob: the node's upload of it no longer keeps it (see <see cref="NodeBlobRecord.Named"/>).</summary>
    public static Task MarkNamedAsync(PortholeDb db, long nodeId, string digest, CancellationToken ct) =>
        db.NodeBlobs.Where(u => u.NodeId == nodeId && u.Digest == digest).ExecuteUpdateAsync(s => s.SetProperty(u => u.Named, true), ct);

    /// <summary>
    /// Deletes the blob, file and row, when no cache, workspace layer, artifact or session recording names it and no upload
    /// of a running node that no record named yet does; <paramref name="letGoOf"/> is a node's upload to forget first (its
    /// own refused save).
    /// </summary>
    public async Task DeleteIfUnnamedAsync(string digest, long? letGoOf, CancellationToken ct)
    {
        using var held = await _digests.EnterAsync(digest, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (letGoOf is { } nodeId)
        {
            await db.NodeBlobs.Where(u => u.NodeId == nodeId && u.Digest == digest).ExecuteDeleteAsync(ct);
        }

        var named = await db.Caches.AnyAsync(c => c.Digest == digest, ct)
            || await db.WorkspaceLayers.AnyAsync(l => l.Digest == digest, ct)
            || await db.Artifacts.AnyAsync(a => a.Digest == digest, ct)
            || await db.SessionRecordings.AnyAsync(r => r.Digest == digest, ct)
            || await (from u in db.NodeBlobs
                      where u.Digest == digest && !u.Named
                      join n in db.Nodes on u.NodeId equals n.Id
                      where n.Status == Status.Running
                      select u).AnyAsync(ct);
        if (named)
        {
            return;
        }

        files.Delete(digest);
        await db.NodeBlobs.Where(u => u.Digest == digest).ExecuteDeleteAsync(ct);
        await db.Blobs.Where(b => b.Digest == digest).ExecuteDeleteAsync(ct);
    }

    /// <summary>Deletes a blob file no row names, under the digest's lock (the sweeper's look at the disk).</summary>
    public async Task DeleteFileIfNoRowAsync(string digest, CancellationToken ct)
    {
        using var held = await _digests.EnterAsync(digest, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Blobs.AnyAsync(b => b.Digest == digest, ct))
        {
            files.Delete(digest);
        }
    }

    /// <summary>Drops the running hashes of uploads whose partial file is gone (the sweeper deleted it, or a restart lost it).</summary>
    public async Task ForgetAbandonedUploadsAsync(CancellationToken ct)
    {
        foreach (var (nodeId, digest) in hashes.Uploads)
        {
            using var held = await _uploads.EnterAsync(UploadKey(nodeId, digest), ct);
            if (!File.Exists(files.PartialPathOf(nodeId, digest)))
            {
                hashes.Drop(nodeId, digest);
            }
        }
    }

    private static string UploadKey(long nodeId, string digest) => FormattableString.Invariant($"{nodeId}/{digest}");

    private void DeletePartial(long nodeId, string digest)
    {
        hashes.Drop(nodeId, digest);
        files.DeletePartial(nodeId, digest);
    }

    /// <summary>The digest is kept already: the upload is complete at once (its bytes are not read).</summary>
    private async Task<BlobUploadResult?> KeptAsync(PortholeDb db, long nodeId, string digest, long size, CancellationToken ct)
    {
        using var held = await _digests.EnterAsync(digest, ct);
        var kept = await db.Blobs.Where(b => b.Digest == digest).Select(b => (long?)b.Size).SingleOrDefaultAsync(ct);
        if (kept is null || !files.Exists(digest))
        {
            return null;
        }

        if (kept != size)
        {
            return Refused($"blob {digest} is kept with {kept} bytes, not the {size} declared");
        }

        await RecordAsync(db, nodeId, digest, size, ct);
        return new BlobUploadResult(BlobUploadOutcome.Complete, size);
    }

    private async Task RecordAsync(PortholeDb db, long nodeId, string digest, long size, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var blob = await db.Blobs.SingleOrDefaultAsync(b => b.Digest == digest, ct);
        if (blob is null)
        {
            db.Blobs.Add(new BlobRecord { Digest = digest, Size = size, StoredAt = now });
        }
        else
        {
            blob.StoredAt = now;
        }

        var upload = await db.NodeBlobs.SingleOrDefaultAsync(u => u.NodeId == nodeId && u.Digest == digest, ct);
        if (upload is null)
        {
            db.NodeBlobs.Add(new NodeBlobRecord { NodeId = nodeId, Digest = digest });
        }
        else
        {
            // Uploaded again: to be named again, so kept until then.
            upload.Named = false;
        }

        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    /// <summary>ENOSPC or EDQUOT (Linux), ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL (Windows).</summary>
    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 122 or 112 or 39;

    private static BlobUploadResult Refused(string problem) => new(BlobUploadOutcome.Refused, 0, problem);

    private static string Shown(string? text) => Api.MessageText.Shorten(text ?? "");

    [LoggerMessage(Level = LogLevel.Warning, Message = "The disk is full: node {NodeId}'s upload of blob {Digest} was refused")]
    private static partial void LogDiskFull(ILogger logger, long nodeId, string digest);

    [LoggerMessage(Level = LogLevel.Error, Message = "Node {NodeId}'s upload of blob {Digest} could not be stored")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, long nodeId, string digest);
}
