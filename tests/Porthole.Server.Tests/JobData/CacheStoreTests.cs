using System.Text;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Runners;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// Caches (§A5 save_cache/restore_cache, §B12 Travis's cache) through the real runner service: immutable keys whose first
/// writer wins, prefix restores where the most recently saved match wins, exact restores, replaces, the per-project cap
/// (here 1000 bytes) with least-recently-used eviction, and one namespace per project across branches.
/// </summary>
public sealed class CacheStoreTests : IAsyncLifetime
{
    private const long Cap = 1000;

    private const string Config = """
        version: 2.1
        jobs:
          build:
            parallelism: 3
            steps:
              - run: echo build
        workflows:
          main:
            jobs:
              - build
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private JobDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _repository.Run("branch", "feature");
        _server = await JobDataServer.StartAsync(_data.Path, new Dictionary<string, string?> { ["Porthole:JobData:CacheCapBytes"] = $"{Cap}" });
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Of_three_concurrent_saves_of_one_key_exactly_one_is_saved_and_its_entry_is_intact()
    {
        await _server.TriggerAsync("app");
        var nodes = new[] { await _server.LeaseAsync(), await _server.LeaseAsync(), await _server.LeaseAsync() };
        var contents = nodes.Select(n => Encoding.UTF8.GetBytes($"cache made by node {n.NodeIndex} " + new string('x', 50))).ToArray();
        var digests = new string[3];
        for (var i = 0; i < 3; i++)
        {
            digests[i] = await _server.UploadAsync(nodes[i], contents[i]);
        }

        using var start = new ManualResetEventSlim();
        var saves = Enumerable.Range(0, 3).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await _server.Runner.SaveCacheAsync(nodes[i].NodeId, new CacheEntry("v1-deps-abc", digests[i], contents[i].Length), CancellationToken.None);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(saves);

        Assert.Single(results, r => r.Outcome == CacheSaveOutcome.Saved);
        Assert.Equal(2, results.Count(r => r.Outcome == CacheSaveOutcome.Exists));
        Assert.All(results.Where(r => r.Outcome == CacheSaveOutcome.Exists), r => Assert.Contains("immutable", r.Message));
        var winner = Array.FindIndex(results, r => r.Outcome == CacheSaveOutcome.Saved);

        var hit = await _server.Runner.FindCacheAsync(nodes[0].NodeId, new CacheQuery(["v1-deps-abc"]), CancellationToken.None);
        Assert.NotNull(hit);
        Assert.Equal(digests[winner], hit.Digest);
        Assert.Equal(contents[winner].Length, hit.Size);
        Assert.Equal(contents[winner], await _server.DownloadAsync(nodes[(winner + 1) % 3], hit.Digest));
        await using var db = _server.Db();
        Assert.Equal(1, await db.Caches.CountAsync(c => c.Key == "v1-deps-abc"));
    }

    [Fact]
    public async Task A_restore_tries_its_keys_in_order_each_as_a_prefix_and_the_most_recently_saved_match_wins_across_branches()
    {
        await _server.TriggerAsync("app", "main");
        var main = await _server.LeaseAsync();
        await SaveAsync(main, "v1-deps-", "exact-but-older");
        await SaveAsync(main, "v1-deps-aaa", "first");
        await SaveAsync(main, "v1-other", "other");

        await _server.TriggerAsync("app", "feature");
        var feature = await _server.LeaseAsync("build", index: 0, others: []);
        Assert.Equal("feature", feature.Branch);
        await SaveAsync(feature, "v1-deps-bbb", "second");

        // Saved on another branch, the newest match wins (§A5: even over an exact match).
        Assert.Equal("v1-deps-bbb", (await FindAsync(main, "v1-deps-"))?.Key);
        Assert.Equal("v1-deps-bbb", (await FindAsync(main, "v1-deps"))?.Key);
        Assert.Equal("v1-deps-aaa", (await FindAsync(main, "v1-deps-a"))?.Key);

        // The first key with any match wins, though a later key's match is newer; a key with none is passed over.
        Assert.Equal("v1-other", (await FindAsync(main, "v2-", "v1-other", "v1-deps-"))?.Key);
        Assert.Equal("v1-deps-aaa", (await FindAsync(feature, "v1-deps-aaa", "v1-"))?.Key);

        // Prefixes are compared exactly (SQLite's LIKE would ignore the case), and a blank key matches nothing.
        Assert.Null(await FindAsync(main, "V1-DEPS"));
        Assert.Null(await FindAsync(main, "", "v1-deps_"));
        Assert.Null(await FindAsync(main, "v1-deps-%"));

        // The hit carries what was saved with it, and records its use.
        var hit = await FindAsync(main, "v1-deps-aaa");
        Assert.Equal(["/root/.cache/pip", "/root/project/node_modules"], hit!.Paths);
        Assert.Equal("first", Encoding.UTF8.GetString((await _server.DownloadAsync(main, hit.Digest))!));
    }

    [Fact]
    public async Task An_exact_restore_matches_only_the_key_itself()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        await SaveAsync(node, "cache-linux-main", "branch");
        await SaveAsync(node, "cache-linux-main-and-more", "newer");
        var hit = await _server.Runner.FindCacheAsync(node.NodeId, new CacheQuery(["cache-linux-main"], Exact: true), CancellationToken.None);
        Assert.Equal("cache-linux-main", hit?.Key);
        Assert.Null(await _server.Runner.FindCacheAsync(node.NodeId, new CacheQuery(["cache-linux"], Exact: true), CancellationToken.None));
        Assert.Equal("cache-linux-main", (await _server.Runner.FindCacheAsync(node.NodeId, new CacheQuery(["cache-linux-feature", "cache-linux-main"], Exact: true), CancellationToken.None))?.Key);
    }

    [Fact]
    public async Task A_replace_swaps_the_entry_and_lets_go_of_the_old_blob_while_a_plain_save_of_a_taken_key_changes_nothing()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var old = await SaveAsync(node, "cache-linux-main", "old contents");
        await _server.CompleteAsync(node);
        await _server.TriggerAsync("app");
        node = await _server.LeaseAsync();

        var bytes = Encoding.UTF8.GetBytes("new contents");
        var digest = await _server.UploadAsync(node, bytes);
        var kept = await _server.Runner.SaveCacheAsync(node.NodeId, new CacheEntry("cache-linux-main", digest, bytes.Length), CancellationToken.None);
        Assert.Equal(CacheSaveOutcome.Exists, kept.Outcome);
        Assert.Equal(old, (await FindAsync(node, "cache-linux-main"))?.Digest);

        var replaced = await _server.Runner.SaveCacheAsync(node.NodeId, new CacheEntry("cache-linux-main", digest, bytes.Length, Replace: true), CancellationToken.None);
        Assert.Equal(CacheSaveOutcome.Saved, replaced.Outcome);
        Assert.Equal(digest, (await FindAsync(node, "cache-linux-main"))?.Digest);
        Assert.False(File.Exists(_server.BlobPath(old)));
        await using var db = _server.Db();
        Assert.False(await db.Blobs.AnyAsync(b => b.Digest == old));
        Assert.Equal(1, await db.Caches.CountAsync());
    }

    [Fact]
    public async Task A_cache_larger_than_the_cap_is_refused_naming_the_cap_and_its_setting_and_nothing_of_it_is_kept()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = JobDataServer.RandomBytes((int)Cap + 1);
        var digest = await _server.UploadAsync(node, bytes);
        var refused = await _server.Runner.SaveCacheAsync(node.NodeId, new CacheEntry("huge", digest, bytes.Length), CancellationToken.None);
        Assert.Equal(CacheSaveOutcome.Refused, refused.Outcome);
        Assert.Contains("cache cap of 1000 bytes", refused.Message);
        Assert.Contains("Porthole:JobData:CacheCapBytes", refused.Message);
        Assert.Null(await FindAsync(node, "huge"));
        Assert.False(File.Exists(_server.BlobPath(digest)));
        await using var db = _server.Db();
        Assert.False(await db.Caches.AnyAsync());
        Assert.False(await db.Blobs.AnyAsync(b => b.Digest == digest));
    }

    [Fact]
    public async Task Over_the_cap_the_projects_least_recently_used_caches_go_to_make_room()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var a = await SaveAsync(node, "a", new string('a', 400));
        var b = await SaveAsync(node, "b", new string('b', 400));

        // a is used, so b is the least recently used.
        Assert.Equal("a", (await FindAsync(node, "a"))?.Key);
        var c = await SaveAsync(node, "c", new string('c', 400));
        Assert.Null(await FindAsync(node, "b"));
        Assert.False(File.Exists(_server.BlobPath(b)));
        Assert.Equal(a, (await FindAsync(node, "a"))?.Digest);
        Assert.Equal(c, (await FindAsync(node, "c"))?.Digest);
        await using var db = _server.Db();
        Assert.Equal(800, await db.Caches.SumAsync(x => x.Size));
    }

    [Fact]
    public async Task The_lease_carries_the_cap_and_the_repositorys_default_branch()
    {
        await _server.TriggerAsync("app", "feature");
        var node = await _server.LeaseAsync();
        Assert.Equal(Cap, node.CacheCapBytes);
        Assert.Equal("feature", node.Branch);
        Assert.Equal("main", node.DefaultBranch);
    }

    [Fact]
    public async Task A_cache_can_name_only_a_blob_its_node_uploaded()
    {
        await _server.TriggerAsync("app");
        var uploader = await _server.LeaseAsync();
        var other = await _server.LeaseAsync();
        var bytes = Encoding.UTF8.GetBytes("mine");
        var digest = await _server.UploadAsync(uploader, bytes);
        var refused = await _server.Runner.SaveCacheAsync(other.NodeId, new CacheEntry("k", digest, bytes.Length), CancellationToken.None);
        Assert.Equal(CacheSaveOutcome.Refused, refused.Outcome);
        Assert.Contains("not uploaded by this node", refused.Message);
        var missing = await _server.Runner.SaveCacheAsync(uploader.NodeId, new CacheEntry("k", new string('0', 64), 4), CancellationToken.None);
        Assert.Equal(CacheSaveOutcome.Refused, missing.Outcome);
        var wrongSize = await _server.Runner.SaveCacheAsync(uploader.NodeId, new CacheEntry("k", digest, 5), CancellationToken.None);
        Assert.Equal(CacheSaveOutcome.Refused, wrongSize.Outcome);
        var tooLong = await _server.Runner.SaveCacheAsync(uploader.NodeId, new CacheEntry(new string('k', 901), digest, bytes.Length), CancellationToken.None);
        Assert.Equal(CacheSaveOutcome.Refused, tooLong.Outcome);
        Assert.Null(await FindAsync(uploader, "k"));
    }

    private async Task<string> SaveAsync(NodeAssignment node, string key, string contents)
    {
        var bytes = Encoding.UTF8.GetBytes(contents);
        var digest = await _server.UploadAsync(node, bytes);
        var entry = new CacheEntry(key, digest, bytes.Length) { Paths = ["/root/.cache/pip", "/root/project/node_modules"] };
        var saved = await _server.Runner.SaveCacheAsync(node.NodeId, entry, CancellationToken.None);
        Assert.True(saved.Outcome == CacheSaveOutcome.Saved, $"{key}: {saved}");
        return digest;
    }

    private Task<CacheHit?> FindAsync(NodeAssignment node, params string[] keys) =>
        _server.Runner.FindCacheAsync(node.NodeId, new CacheQuery(keys), CancellationToken.None);
}
