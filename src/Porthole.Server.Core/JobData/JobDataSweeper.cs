using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Data;

namespace Porthole.Server.JobData;

/// <summary>What one sweep deleted.</summary>
public sealed record JobDataSweep(int Caches, int Artifacts, int WorkspaceLayers, int Blobs, int Partials);

/// <summary>
/// Every <see cref="JobDataOptions.SweepInterval"/>: deletes the caches, artifacts and workspace layers older than their
/// expiry, then the blobs nothing names any more (no record, no running node's upload), blob files without a row and
/// partial uploads untouched for a day. Session recordings do not expire: they are kept as the job's log is.
/// </summary>
public sealed partial class JobDataSweeper(
    IDbContextFactory<PortholeDb> dbFactory,
    BlobStore blobs,
    TimeProvider time,
    IOptions<JobDataOptions> options,
    ILogger<JobDataSweeper> logger) : BackgroundService
{
    /// <summary>A partial upload, or a blob file with no row (a crash between its rename and its row), this old is left over.</summary>
    public static readonly TimeSpan LeftOver = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        var databaseAway = false;
        do
        {
            try
            {
                var swept = await SweepAsync(stoppingToken);
                databaseAway = false;
                if (swept.Caches + swept.Artifacts + swept.WorkspaceLayers + swept.Blobs + swept.Partials > 0)
                {
                    LogSwept(logger, swept.Caches, swept.Artifacts, swept.WorkspaceLayers, swept.Blobs, swept.Partials);
                }
            }
            catch (Exception e) when (Data.DatabaseFaults.IsUnreachable(e))
            {
                // Once per outage, without the stack: nothing is wrong here, the next sweep does the work.
                if (!databaseAway)
                {
                    LogDatabaseAway(logger, Data.DatabaseFaults.Describe(e)!);
                }

                databaseAway = true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<JobDataSweep> SweepAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        int caches, artifacts, layers;
        List<string> unnamed;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var cacheCutoff = now - settings.CacheExpiry;
            var artifactCutoff = now - settings.ArtifactExpiry;
            var layerCutoff = now - settings.WorkspaceExpiry;
            caches = await db.Caches.Where(c => c.SavedAt <= cacheCutoff).ExecuteDeleteAsync(ct);
            artifacts = await db.Artifacts.Where(a => a.CreatedAt <= artifactCutoff).ExecuteDeleteAsync(ct);
            layers = await db.WorkspaceLayers.Where(l => l.CreatedAt <= layerCutoff).ExecuteDeleteAsync(ct);

            // A finished node's uploads keep nothing: what it named, its records keep.
            var running = db.Nodes.Where(n => n.Status == Status.Running).Select(n => n.Id);
            await db.NodeBlobs.Where(u => !running.Contains(u.NodeId)).ExecuteDeleteAsync(ct);
            unnamed = await db.Blobs
                .Where(b => !db.Caches.Any(c => c.Digest == b.Digest)
                    && !db.WorkspaceLayers.Any(l => l.Digest == b.Digest)
                    && !db.Artifacts.Any(a => a.Digest == b.Digest)
                    && !db.SessionRecordings.Any(r => r.Digest == b.Digest)
                    && !db.NodeBlobs.Any(u => u.Digest == b.Digest && !u.Named))
                .Select(b => b.Digest)
                .ToListAsync(ct);
        }

        foreach (var digest in unnamed)
        {
            await blobs.DeleteIfUnnamedAsync(digest, letGoOf: null, ct);
        }

        var old = (now - LeftOver).UtcDateTime;
        foreach (var (digest, written) in blobs.Files.AllBlobs().ToList())
        {
            if (written < old)
            {
                await blobs.DeleteFileIfNoRowAsync(digest, ct);
            }
        }

        var partials = 0;
        foreach (var (path, written) in blobs.Files.AllPartials().ToList())
        {
            if (written < old)
            {
                BlobFiles.DeleteFile(path);
                partials++;
            }
        }

        await blobs.ForgetAbandonedUploadsAsync(ct);
        return new JobDataSweep(caches, artifacts, layers, unnamed.Count, partials);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job data swept: {Caches} expired caches, {Artifacts} artifacts, {Layers} workspace layers, {Blobs} blobs no longer named, {Partials} stale partial uploads")]
    private static partial void LogSwept(ILogger logger, int caches, int artifacts, int layers, int blobs, int partials);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The job-data sweep failed: the database cannot be reached ({Fault}); it runs again at the next interval")]
    private static partial void LogDatabaseAway(ILogger logger, string fault);

    [LoggerMessage(Level = LogLevel.Error, Message = "The job-data sweep failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
