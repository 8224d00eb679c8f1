using Porthole.Contracts.Runners;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// The runner protocol's blob uploads and downloads on the real server: by offset, resumable without loss or doubling,
/// sizes and digests checked, the node's lease required, and only blobs the node may read given back.
/// </summary>
public sealed class BlobUploadTests : IAsyncLifetime
{
    private const string Config = """
        version: 2.1
        jobs:
          build:
            parallelism: 2
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
        _server = await JobDataServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
        await _server.AddProjectAsync("other", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Chunks_are_appended_by_offset_a_retried_chunk_is_not_doubled_and_the_blob_is_kept_once_complete()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = JobDataServer.RandomBytes(3 * 1024 * 1024 + 17);
        var digest = JobDataServer.Digest(bytes);
        const int Mb = 1024 * 1024;

        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Partial, Mb), await UploadAsync(node, digest, bytes, 0, Mb));
        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Partial, 2 * Mb), await UploadAsync(node, digest, bytes, Mb, Mb));

        // The same chunk again (its answer was lost): nothing is added.
        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Partial, 2 * Mb), await UploadAsync(node, digest, bytes, Mb, Mb));

        // A chunk overlapping what is stored adds only its new bytes.
        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Partial, 2 * Mb + 100), await UploadAsync(node, digest, bytes, 2 * Mb - 100, 200));
        Assert.False(File.Exists(_server.BlobPath(digest)));

        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Complete, bytes.Length), await UploadAsync(node, digest, bytes, 2 * Mb + 100, bytes.Length - (2 * Mb + 100)));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(_server.BlobPath(digest)));
        Assert.Empty(_server.Partials());

        // Folders 0700 and files 0600, as the rest of the data folder.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_server.BlobPath(digest)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(_server.BlobPath(digest))!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_data.Path, "blobs")));

        // The node reads back what it uploaded, from any offset.
        Assert.Equal(bytes, await _server.DownloadAsync(node, digest));
        Assert.Equal(bytes[(2 * Mb)..], await _server.DownloadAsync(node, digest, 2 * Mb));
    }

    [Fact]
    public async Task An_upload_goes_on_after_a_server_restart_and_its_digest_is_checked_over_every_byte()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = JobDataServer.RandomBytes(3_000_000);
        var digest = JobDataServer.Digest(bytes);
        Assert.Equal(BlobUploadOutcome.Partial, (await UploadAsync(node, digest, bytes, 0, 1_000_000)).Outcome);

        await _server.DisposeAsync();
        _server = await JobDataServer.StartAsync(_data.Path);
        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Gap, 1_000_000), await UploadAsync(node, digest, bytes, 2_000_000, 1_000_000));
        Assert.Equal(BlobUploadOutcome.Partial, (await UploadAsync(node, digest, bytes, 1_000_000, 1_000_000)).Outcome);
        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Complete, bytes.Length), await UploadAsync(node, digest, bytes, 2_000_000, 1_000_000));
        Assert.Equal(bytes, await _server.DownloadAsync(node, digest));

        // The same after a restart with a byte of the stored part changed behind the server's back: the digest catches it.
        var other = JobDataServer.RandomBytes(2_000_000);
        var otherDigest = JobDataServer.Digest(other);
        Assert.Equal(BlobUploadOutcome.Partial, (await UploadAsync(node, otherDigest, other, 0, 1_000_000)).Outcome);
        await _server.DisposeAsync();
        var partial = Assert.Single(Directory.GetFiles(Path.Combine(_data.Path, "blobs", "uploads")));
        await using (var file = File.OpenWrite(partial))
        {
            file.WriteByte((byte)(other[0] ^ 1));
        }

        _server = await JobDataServer.StartAsync(_data.Path);
        var refused = await UploadAsync(node, otherDigest, other, 1_000_000, 1_000_000);
        Assert.Equal(BlobUploadOutcome.Refused, refused.Outcome);
        Assert.Contains($"not {otherDigest}", refused.Problem);
    }

    [Fact]
    public async Task A_body_that_breaks_off_keeps_what_arrived_and_the_upload_goes_on_from_there()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = JobDataServer.RandomBytes(3_000_000);
        var digest = JobDataServer.Digest(bytes);
        var broken = await _server.Runner.UploadBlobAsync(node.NodeId, digest, bytes.Length, 0, new BreakingStream(bytes, 1_234_567), CancellationToken.None);
        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Partial, 1_234_567), broken);
        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Complete, bytes.Length), await UploadAsync(node, digest, bytes, 1_234_567, bytes.Length - 1_234_567));
        Assert.Equal(bytes, await _server.DownloadAsync(node, digest));
    }

    [Fact]
    public async Task An_offset_past_the_stored_bytes_is_a_gap_that_says_where_to_go_on()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = JobDataServer.RandomBytes(1000);
        var digest = JobDataServer.Digest(bytes);
        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Partial, 300), await UploadAsync(node, digest, bytes, 0, 300));
        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Gap, 300), await UploadAsync(node, digest, bytes, 500, 500));
        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Complete, 1000), await UploadAsync(node, digest, bytes, 300, 700));
        Assert.Equal(bytes, await _server.DownloadAsync(node, digest));
    }

    [Fact]
    public async Task Bytes_that_do_not_match_the_digest_are_refused_and_nothing_of_them_is_kept()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = JobDataServer.RandomBytes(5000);
        var digest = JobDataServer.Digest(bytes);
        var wrong = (byte[])bytes.Clone();
        wrong[4000] ^= 0xff;

        Assert.Equal(BlobUploadOutcome.Partial, (await UploadAsync(node, digest, wrong, 0, 2500)).Outcome);
        var refused = await UploadAsync(node, digest, wrong, 2500, 2500);
        Assert.Equal(BlobUploadOutcome.Refused, refused.Outcome);
        Assert.Equal(0, refused.StoredLength);
        Assert.Contains($"not {digest}", refused.Problem);
        Assert.Contains(JobDataServer.Digest(wrong), refused.Problem);
        Assert.Empty(_server.Partials());
        Assert.False(File.Exists(_server.BlobPath(digest)));
        Assert.Null(await _server.DownloadAsync(node, digest));

        // The right bytes then go in from 0.
        Assert.Equal(digest, await _server.UploadAsync(node, bytes));
        Assert.Equal(bytes, await _server.DownloadAsync(node, digest));
    }

    [Fact]
    public async Task More_bytes_than_the_declared_size_are_refused_and_nothing_of_them_is_kept()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = JobDataServer.RandomBytes(2000);
        var digest = JobDataServer.Digest(bytes[..1500]);
        var refused = await _server.Runner.UploadBlobAsync(node.NodeId, digest, 1500, 0, new MemoryStream(bytes), CancellationToken.None);
        Assert.Equal(BlobUploadOutcome.Refused, refused.Outcome);
        Assert.Contains("more bytes were sent than the 1500 declared", refused.Problem);
        Assert.Empty(_server.Partials());
        Assert.False(File.Exists(_server.BlobPath(digest)));
    }

    [Fact]
    public async Task A_digest_already_kept_is_complete_at_once_and_the_second_node_may_read_it()
    {
        await _server.TriggerAsync("app");
        var first = await _server.LeaseAsync();
        var second = await _server.LeaseAsync();
        var bytes = JobDataServer.RandomBytes(4096);
        var digest = await _server.UploadAsync(first, bytes);
        var written = File.GetLastWriteTimeUtc(_server.BlobPath(digest));
        Assert.Null(await _server.DownloadAsync(second, digest));

        // No bytes sent at all: the server has them.
        var again = await _server.Runner.UploadBlobAsync(second.NodeId, digest, bytes.Length, 0, Stream.Null, CancellationToken.None);
        Assert.Equal(new BlobUploadResult(BlobUploadOutcome.Complete, bytes.Length), again);
        Assert.Equal(written, File.GetLastWriteTimeUtc(_server.BlobPath(digest)));
        Assert.Equal(bytes, await _server.DownloadAsync(second, digest));

        // A size that is not the kept blob's is refused.
        var lying = await _server.Runner.UploadBlobAsync(second.NodeId, digest, 10, 0, Stream.Null, CancellationToken.None);
        Assert.Equal(BlobUploadOutcome.Refused, lying.Outcome);
    }

    [Fact]
    public async Task A_digest_that_is_not_64_lowercase_hex_is_refused_and_never_becomes_a_path()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = JobDataServer.RandomBytes(10);
        foreach (var digest in (string[])["../../../../tmp/escaped", JobDataServer.Digest(bytes).ToUpperInvariant(), "", "ab", new string('g', 64)])
        {
            var refused = await _server.Runner.UploadBlobAsync(node.NodeId, digest, bytes.Length, 0, new MemoryStream(bytes), CancellationToken.None);
            Assert.Equal(BlobUploadOutcome.Refused, refused.Outcome);
            Assert.Contains("64 lowercase hex", refused.Problem);
            Assert.Null(await _server.Runner.DownloadBlobAsync(node.NodeId, digest, 0, CancellationToken.None));
        }

        Assert.False(File.Exists("/tmp/escaped"));
        Assert.Empty(_server.Partials());
    }

    [Fact]
    public async Task Without_its_lease_a_node_is_refused_every_job_data_call()
    {
        await _server.TriggerAsync("app");
        var node = await _server.LeaseAsync();
        var bytes = JobDataServer.RandomBytes(100);
        var digest = await _server.UploadAsync(node, bytes);
        Assert.Equal(CacheSaveOutcome.Saved, (await _server.Runner.SaveCacheAsync(node.NodeId, new CacheEntry("k", digest, bytes.Length), CancellationToken.None)).Outcome);
        await _server.CompleteAsync(node);

        const long Unknown = 999_999;
        foreach (var nodeId in (long[])[node.NodeId, Unknown])
        {
            var upload = await _server.Runner.UploadBlobAsync(nodeId, JobDataServer.Digest([1]), 1, 0, new MemoryStream([1]), CancellationToken.None);
            Assert.Equal(BlobUploadOutcome.Refused, upload.Outcome);
            Assert.Contains("holds no lease", upload.Problem);
            Assert.Null(await _server.Runner.DownloadBlobAsync(nodeId, digest, 0, CancellationToken.None));
            Assert.Null(await _server.Runner.FindCacheAsync(nodeId, new CacheQuery(["k"]), CancellationToken.None));
            var save = await _server.Runner.SaveCacheAsync(nodeId, new CacheEntry("k2", digest, bytes.Length), CancellationToken.None);
            Assert.Equal(CacheSaveOutcome.Refused, save.Outcome);
            Assert.Contains("holds no lease", save.Message);
            await Assert.ThrowsAsync<InvalidOperationException>(() => _server.Runner.PersistWorkspaceAsync(nodeId, new WorkspaceLayer(digest, bytes.Length, ["a"]), CancellationToken.None));
            await Assert.ThrowsAsync<InvalidOperationException>(() => _server.Runner.AttachWorkspaceAsync(nodeId, CancellationToken.None));
            await Assert.ThrowsAsync<InvalidOperationException>(() => _server.Runner.StoreArtifactAsync(nodeId, new ArtifactFile("a.txt", digest, bytes.Length), CancellationToken.None));
            await Assert.ThrowsAsync<InvalidOperationException>(() => _server.Runner.StoreTestResultsAsync(nodeId, [], CancellationToken.None));
            Assert.Empty(await _server.Runner.TestTimingsAsync(nodeId, CancellationToken.None));
        }

        Assert.Empty(_server.Partials());
    }

    [Fact]
    public async Task A_node_reads_its_own_projects_caches_and_its_workflows_layers_but_not_another_projects()
    {
        await _server.TriggerAsync("app");
        var saver = await _server.LeaseAsync();
        var cacheBytes = JobDataServer.RandomBytes(300);
        var layerBytes = JobDataServer.RandomBytes(200);
        var cache = await _server.UploadAsync(saver, cacheBytes);
        var layer = await _server.UploadAsync(saver, layerBytes);
        await _server.Runner.SaveCacheAsync(saver.NodeId, new CacheEntry("deps", cache, cacheBytes.Length), CancellationToken.None);
        await _server.Runner.PersistWorkspaceAsync(saver.NodeId, new WorkspaceLayer(layer, layerBytes.Length, ["out.txt"]), CancellationToken.None);
        var sibling = await _server.LeaseAsync();

        await _server.TriggerAsync("app");
        var later = await _server.LeaseAsync();
        await _server.LeaseAsync();
        await _server.TriggerAsync("other");
        var stranger = await _server.LeaseAsync();
        Assert.Equal("other", stranger.ProjectName);

        Assert.Equal(cacheBytes, await _server.DownloadAsync(sibling, cache));
        Assert.Equal(layerBytes, await _server.DownloadAsync(sibling, layer));
        Assert.Equal(cacheBytes, await _server.DownloadAsync(later, cache));

        // Another workflow's workspace and another project's caches are not the node's to read.
        Assert.Null(await _server.DownloadAsync(later, layer));
        Assert.Null(await _server.DownloadAsync(stranger, cache));
        Assert.Null(await _server.DownloadAsync(stranger, layer));
        Assert.Null(await _server.Runner.FindCacheAsync(stranger.NodeId, new CacheQuery(["deps"]), CancellationToken.None));
    }

    private Task<BlobUploadResult> UploadAsync(NodeAssignment node, string digest, byte[] bytes, int offset, int count) =>
        _server.Runner.UploadBlobAsync(node.NodeId, digest, bytes.Length, offset, new MemoryStream(bytes, offset, count), CancellationToken.None);

    /// <summary>A request body whose connection drops after <paramref name="breakAt"/> bytes.</summary>
    private sealed class BreakingStream(byte[] bytes, int breakAt) : MemoryStream(bytes, 0, bytes.Length)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= breakAt)
            {
                throw new IOException("the connection was reset");
            }

            return await base.ReadAsync(buffer[..(int)Math.Min(buffer.Length, breakAt - Position)], cancellationToken);
        }
    }
}
