using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Runners;
using Porthole.Server.JobData;
using Porthole.Server.Tests.Support;
using Xunit.Abstractions;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// A full disk on the server (a 1 MB tmpfs mounted as the data folder's blobs): an upload that does not fit is refused
/// with the reason, leaves nothing behind, and the store goes on working for what fits. Needs root to mount.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output)
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

    [Fact]
    public async Task An_upload_that_fills_the_disk_is_refused_with_the_reason_and_leaves_the_store_consistent()
    {
        if (Environment.UserName != "root")
        {
            output.WriteLine("Skipped: mounting a small tmpfs as the blobs folder needs root; this test ran as " + Environment.UserName + ".");
            return;
        }

        using var data = new TempFolder();
        using var repository = GitRepository.WithFiles((".circleci/config.yml", Config));
        var blobs = data.Combine("blobs");
        Directory.CreateDirectory(blobs);
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", blobs);
        try
        {
            await using var server = await JobDataServer.StartAsync(data.Path);
            Assert.Equal(DataFolderMode, File.GetUnixFileMode(blobs));
            await server.AddProjectAsync("app", repository.Path);
            await server.TriggerAsync("app");
            var node = await server.LeaseAsync();

            // In one call.
            var big = JobDataServer.RandomBytes(2 * 1024 * 1024);
            var digest = JobDataServer.Digest(big);
            var refused = await server.Runner.UploadBlobAsync(node.NodeId, digest, big.Length, 0, new MemoryStream(big), CancellationToken.None);
            Assert.Equal(BlobUploadOutcome.Refused, refused.Outcome);
            Assert.StartsWith(BlobStore.DiskFull, refused.Problem);
            Assert.Equal(0, refused.StoredLength);
            Assert.Empty(server.Partials());
            Assert.False(File.Exists(server.BlobPath(digest)));

            // In chunks: the one that does not fit is refused, and the bytes before it go too.
            long offset = 0;
            BlobUploadResult result;
            do
            {
                result = await server.Runner.UploadBlobAsync(node.NodeId, digest, big.Length, offset, new MemoryStream(big, (int)offset, 256 * 1024), CancellationToken.None);
                offset = result.StoredLength;
            }
            while (result.Outcome == BlobUploadOutcome.Partial);
            Assert.Equal(BlobUploadOutcome.Refused, result.Outcome);
            Assert.Contains("the server's disk is full", result.Problem);
            Assert.Empty(server.Partials());
            await using (var db = server.Db())
            {
                Assert.False(await db.Blobs.AnyAsync());
                Assert.False(await db.NodeBlobs.AnyAsync());
            }

            // What fits still goes in, and a cache can name it.
            var small = JobDataServer.RandomBytes(10_000);
            var kept = await server.UploadAsync(node, small);
            var saved = await server.Runner.SaveCacheAsync(node.NodeId, new CacheEntry("small", kept, small.Length), CancellationToken.None);
            Assert.Equal(CacheSaveOutcome.Saved, saved.Outcome);
            Assert.Equal(small, await server.DownloadAsync(node, kept));
        }
        finally
        {
            Run("umount", blobs);
        }
    }

    private const UnixFileMode DataFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"{program} did not end in 30 s");
        }

        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {error}");
    }
}
