using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Porthole.Contracts.Runners;
using Porthole.Data;
using Porthole.Server.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// Expiry: caches (15 days after their save) never match once expired and are swept with their blobs; workspace layers
/// (15 days) and artifacts (30 days) go by their own settings; blobs nothing names and partial uploads left over go too;
/// what is still named stays. The server runs on the real clock (its lease sweeper ticks every 5 s, so moving a fake clock
/// by days would fire it some 300,000 times); the cache store and the sweeper under test are the real classes on the
/// server's database, files and settings, given a clock the test moves.
/// </summary>
public sealed class JobDataExpiryTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          build:
            steps:
              - run: echo build
        workflows:
          main:
            jobs:
              - build
        """;

    private readonly TempFolder _data = new();
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private GitRepository _repository = null!;
    private JobDataServer _server = null!;
    private CacheStore _caches = null!;
    private JobDataSweeper _sweeper = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        _server = await JobDataServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
        var database = _server.Get<IDbContextFactory<PortholeDb>>();
        var settings = _server.Get<IOptions<JobDataOptions>>();
        _caches = new CacheStore(database, _server.Get<BlobStore>(), _time, settings);
        _sweeper = new JobDataSweeper(database, _server.Get<BlobStore>(), _time, settings, NullLogger<JobDataSweeper>.Instance);
    }

    public async Task DisposeAsync()
    {
        _sweeper.Dispose();
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Expired_job_data_stops_matching_and_is_swept_with_the_blobs_only_it_named()
    {
        await _server.TriggerAsync("app");
        var first = await _server.LeaseAsync();
        var gone = await SaveAsync(first, "gone-v1", "cache that expires");
        var stale = await SaveAsync(first, "stale-v1", "cache saved again later");
        var layer = await UploadAsync(first, "layer");
        await _server.Runner.PersistWorkspaceAsync(first.NodeId, new WorkspaceLayer(layer, 5, ["l.txt"]), CancellationToken.None);
        var artifact = await UploadAsync(first, "artifact");
        await _server.Runner.StoreArtifactAsync(first.NodeId, new ArtifactFile("a.txt", artifact, 8), CancellationToken.None);
        var unnamed = await UploadAsync(first, "uploaded, never named");
        var partial = JobDataServer.RandomBytes(100);
        var half = await _server.Runner.UploadBlobAsync(first.NodeId, JobDataServer.Digest(partial), 100, 0, new MemoryStream(partial, 0, 10), CancellationToken.None);
        Assert.Equal(BlobUploadOutcome.Partial, half.Outcome);
        await _server.CompleteAsync(first);

        _time.Advance(TimeSpan.FromDays(16));
        await _server.TriggerAsync("app");
        var later = await _server.LeaseAsync();

        // Expired caches never match, swept or not, and a key whose cache expired can be saved again.
        Assert.Null(await FindAsync(later, "gone-"));
        Assert.Null(await FindAsync(later, "stale-"));
        var fresh = await SaveAsync(later, "stale-v1", "the new one", _caches);
        Assert.Equal(fresh, (await FindAsync(later, "stale-"))?.Digest);

        await _sweeper.SweepAsync(CancellationToken.None);
        await using (var db = _server.Db())
        {
            Assert.Equal(["stale-v1"], await db.Caches.Select(c => c.Key).ToListAsync());
            Assert.False(await db.WorkspaceLayers.AnyAsync());
            Assert.True(await db.Artifacts.AnyAsync());
        }

        foreach (var digest in (string[])[gone, stale, layer, unnamed])
        {
            Assert.False(File.Exists(_server.BlobPath(digest)), digest);
        }

        Assert.True(File.Exists(_server.BlobPath(fresh)));
        Assert.True(File.Exists(_server.BlobPath(artifact)));
        Assert.Empty(_server.Partials());
        Assert.Equal("artifact", await _server.Client.GetStringAsync($"/api/jobs/{first.JobId}/artifacts/0/a.txt"));

        // Artifacts last 30 days.
        _time.Advance(TimeSpan.FromDays(14.5));
        await _sweeper.SweepAsync(CancellationToken.None);
        await using (var db = _server.Db())
        {
            Assert.False(await db.Artifacts.AnyAsync());
            Assert.Equal(["stale-v1"], await db.Caches.Select(c => c.Key).ToListAsync());
        }

        Assert.False(File.Exists(_server.BlobPath(artifact)));
        Assert.True(File.Exists(_server.BlobPath(fresh)));
        var missing = await _server.Client.GetAsync($"/api/jobs/{first.JobId}/artifacts/0/a.txt");
        await Expect.ProblemAsync(missing, 404, JobDataApi.ArtifactNotFound);
    }

    [Fact]
    public async Task A_blob_file_no_row_names_is_swept_once_a_day_old_and_a_fresh_one_is_left_alone()
    {
        var stray = JobDataServer.Digest(Encoding.UTF8.GetBytes("left by a crash between rename and row"));
        var path = _server.BlobPath(stray);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "left by a crash between rename and row");
        var sweeper = _server.Get<JobDataSweeper>();
        File.SetLastWriteTimeUtc(path, TimeProvider.System.GetUtcNow().UtcDateTime - TimeSpan.FromHours(1));
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.True(File.Exists(path));
        File.SetLastWriteTimeUtc(path, TimeProvider.System.GetUtcNow().UtcDateTime - TimeSpan.FromDays(2));
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.False(File.Exists(path));
    }

    private async Task<string> UploadAsync(NodeAssignment node, string text) => await _server.UploadAsync(node, Encoding.UTF8.GetBytes(text));

    private async Task<string> SaveAsync(NodeAssignment node, string key, string text, CacheStore? caches = null)
    {
        var digest = await UploadAsync(node, text);
        var entry = new CacheEntry(key, digest, Encoding.UTF8.GetByteCount(text));
        var saved = caches is null
            ? await _server.Runner.SaveCacheAsync(node.NodeId, entry, CancellationToken.None)
            : await caches.SaveAsync(node.NodeId, entry, CancellationToken.None);
        Assert.Equal(CacheSaveOutcome.Saved, saved.Outcome);
        return digest;
    }

    private Task<CacheHit?> FindAsync(NodeAssignment node, string key) =>
        _caches.FindAsync(node.NodeId, new CacheQuery([key]), CancellationToken.None);
}
