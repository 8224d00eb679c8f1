using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Runners;
using Porthole.Data;
using Porthole.Server.Data;

namespace Porthole.Server.JobData;

/// <summary>
/// Each project's caches (§A5, §B12): one namespace per project, shared by its branches. A restore tries its keys in
/// order, each as a prefix of the stored keys (or, <see cref="CacheQuery.Exact"/>, only itself), the most recently saved
/// match winning even over an exact one; the first key with a match wins; an expired cache never matches. A save is
/// immutable (the first writer of a key wins; the unique index on project and key keeps it so) unless it
/// <see cref="CacheEntry.Replace"/>s (Travis). The project's caches together stay under the cap: the least recently used
/// go to make room, and a cache larger than the cap alone is refused.
/// </summary>
public sealed class CacheStore(IDbContextFactory<PortholeDb> dbFactory, BlobStore blobs, TimeProvider time, IOptions<JobDataOptions> options)
{
    /// <summary>CircleCI's limit on a key's length.</summary>
    public const int MaxKeyLength = 900;

    /// <summary>Most paths a cache may be saved from.</summary>
    public const int MaxPaths = 1000;

    private readonly StripedLock _projects = new();

    public async Task<CacheHit?> FindAsync(long nodeId, CacheQuery query, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var node = await LeasedNode.FindAsync(db, nodeId, ct);
        if (node is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var fresh = now - options.Value.CacheExpiry;
        foreach (var key in query.Keys)
        {
            if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength)
            {
                continue;
            }

            var stored = db.Caches.AsNoTracking().Where(c => c.ProjectId == node.ProjectId && c.SavedAt > fresh);
            stored = query.Exact ? stored.Where(c => c.Key == key) : stored.Where(c => c.Key.StartsWith(key));
            CacheRecord? hit = null;

            // SQLite's LIKE ignores ASCII case: the prefix is checked again here, exactly.
            await foreach (var candidate in stored.OrderByDescending(c => c.SavedAt).ThenByDescending(c => c.Id).AsAsyncEnumerable().WithCancellation(ct))
            {
                if (candidate.Key.StartsWith(key, StringComparison.Ordinal))
                {
                    hit = candidate;
                    break;
                }
            }

            if (hit is not null)
            {
                await db.Caches.Where(c => c.Id == hit.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, now), ct);
                return new CacheHit(hit.Key, hit.Digest, hit.Size, hit.SavedAt)
                {
                    Paths = JsonSerializer.Deserialize<List<string>>(hit.Paths) ?? [],
                };
            }
        }

        return null;
    }

    public async Task<CacheSaveResult> SaveAsync(long nodeId, CacheEntry entry, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var node = await LeasedNode.FindAsync(db, nodeId, ct);
        if (node is null)
        {
            return Refused(LeasedNode.NoLease(nodeId));
        }

        if (string.IsNullOrEmpty(entry.Key) || entry.Key.Length > MaxKeyLength)
        {
            return Refused($"a cache key has 1 to {MaxKeyLength} characters, not {entry.Key?.Length ?? 0}");
        }

        var paths = entry.Paths ?? [];
        if (paths.Count > MaxPaths || paths.Any(p => string.IsNullOrEmpty(p) || p.Length > StoredPath.MaxLength || p.Contains('\0', StringComparison.Ordinal)))
        {
            return Refused($"a cache is saved from at most {MaxPaths} paths, each of 1 to {StoredPath.MaxLength} characters without a NUL");
        }

        if (await BlobStore.UnnameableAsync(db, nodeId, entry.Digest, entry.Size, ct) is { } unnameable)
        {
            return Refused(unnameable);
        }

        var cap = options.Value.CacheCapBytes;
        if (entry.Size > cap)
        {
            await blobs.DeleteIfUnnamedAsync(entry.Digest, letGoOf: nodeId, ct);
            return Refused(
                $"the cache '{entry.Key}' is {ByteSize.Describe(entry.Size)}, more than the project's cache cap of {ByteSize.Describe(cap)} " +
                $"(the server's setting {JobDataOptions.Section}:{nameof(JobDataOptions.CacheCapBytes)}); nothing of it is kept");
        }

        List<string> released;
        using (await _projects.EnterAsync(node.ProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture), ct))
        {
            try
            {
                var (outcome, freed) = await WriteAsync(db, node, entry, cap, ct);
                if (outcome is not null)
                {
                    return outcome;
                }

                released = freed;
            }
            catch (DbUpdateException e) when (ServerDatabase.IsConstraintViolation(e))
            {
                // Another writer (another process on this database) saved the key first.
                return Taken(entry.Key);
            }
        }

        foreach (var digest in released.Distinct(StringComparer.Ordinal).Where(d => d != entry.Digest))
        {
            await blobs.DeleteIfUnnamedAsync(digest, letGoOf: null, ct);
        }

        return new CacheSaveResult(CacheSaveOutcome.Saved);
    }

    /// <summary>In one transaction: the key taken (unless replaced), expired and least recently used caches out, the entry in.</summary>
    private async Task<(CacheSaveResult? Outcome, List<string> Released)> WriteAsync(
        PortholeDb db, LeasedNode node, CacheEntry entry, long cap, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var fresh = now - options.Value.CacheExpiry;
        var released = new List<string>();
        var existing = await db.Caches.SingleOrDefaultAsync(c => c.ProjectId == node.ProjectId && c.Key == entry.Key, ct);
        if (existing is not null && existing.SavedAt > fresh && !entry.Replace)
        {
            return (Taken(entry.Key), released);
        }

        var others = await db.Caches.Where(c => c.ProjectId == node.ProjectId && c.Key != entry.Key)
            .OrderBy(c => c.LastUsedAt).ThenBy(c => c.Id).ToListAsync(ct);
        var expired = others.Where(c => c.SavedAt <= fresh).ToList();
        var kept = others.Where(c => c.SavedAt > fresh).ToList();
        var total = kept.Sum(c => c.Size) + entry.Size;
        var evicted = new List<CacheRecord>(expired);
        foreach (var cache in kept)
        {
            if (total <= cap)
            {
                break;
            }

            evicted.Add(cache);
            total -= cache.Size;
        }

        db.Caches.RemoveRange(evicted);
        released.AddRange(evicted.Select(c => c.Digest));
        if (existing is null)
        {
            db.Caches.Add(new CacheRecord
            {
                ProjectId = node.ProjectId,
                Key = entry.Key,
                Digest = entry.Digest,
                Size = entry.Size,
                Paths = JsonSerializer.Serialize(entry.Paths ?? []),
                NodeId = node.NodeId,
                SavedAt = now,
                LastUsedAt = now,
            });
        }
        else
        {
            released.Add(existing.Digest);
            existing.Digest = entry.Digest;
            existing.Size = entry.Size;
            existing.Paths = JsonSerializer.Serialize(entry.Paths ?? []);
            existing.NodeId = node.NodeId;
            existing.SavedAt = now;
            existing.LastUsedAt = now;
        }

        await db.SaveChangesAsync(ct);
        await BlobStore.MarkNamedAsync(db, node.NodeId, entry.Digest, ct);
        await transaction.CommitAsync(ct);
        return (null, released);
    }

    private static CacheSaveResult Taken(string key) =>
        new(CacheSaveOutcome.Exists, $"the project has a cache '{key}' already; caches are immutable: the first save of a key wins, so this one changed nothing");

    private static CacheSaveResult Refused(string message) => new(CacheSaveOutcome.Refused, message);
}
