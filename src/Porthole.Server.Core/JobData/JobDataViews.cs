using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Data;

namespace Porthole.Server.JobData;

/// <summary>
/// The artifacts, session recordings and test results of one attempt of a job, as the API and the web's job page show
/// them. The caller has already checked that the user may read the job and has chosen the attempt.
/// </summary>
public sealed class JobDataViews(IDbContextFactory<PortholeDb> dbFactory)
{
    /// <summary>The artifacts of <paramref name="attempt"/> of the job, by node then path, each with its download URL.</summary>
    public async Task<ArtifactList> ArtifactsAsync(long jobId, int attempt, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var artifacts = await db.Artifacts.AsNoTracking().Where(a => a.JobId == jobId && a.Attempt == attempt)
            .OrderBy(a => a.NodeIndex).ThenBy(a => a.Path)
            .Select(a => new { a.Path, a.NodeIndex, a.Size }).ToListAsync(ct);
        return new ArtifactList([.. artifacts.Select(a => new ArtifactView(a.Path, a.NodeIndex, DownloadUrl(jobId, attempt, a.NodeIndex, a.Path), a.Size))]);
    }

    /// <summary>The session recordings of <paramref name="attempt"/> of the job, oldest first, each with its download URL.</summary>
    public async Task<SessionRecordingList> RecordingsAsync(long jobId, int attempt, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var recordings = await db.SessionRecordings.AsNoTracking().Where(r => r.JobId == jobId && r.Attempt == attempt)
            .OrderBy(r => r.StartedAt).ThenBy(r => r.Id)
            .ToListAsync(ct);
        return new SessionRecordingList([.. recordings.Select(RecordingView)]);
    }

    /// <summary>The session recording <paramref name="id"/> of <paramref name="attempt"/> of the job (its replay page), or null.</summary>
    public async Task<SessionRecordingView?> RecordingAsync(long jobId, int attempt, long id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Recordings.FindAsync(db, jobId, attempt, id, ct) is { } recording ? RecordingView(recording) : null;
    }

    /// <summary>The test results of <paramref name="attempt"/> of the job: the counts, and failed and errored cases first, then skipped, then passed.</summary>
    public async Task<TestResultList> TestsAsync(long jobId, int attempt, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cases = db.TestCases.AsNoTracking().Where(t => t.JobId == jobId && t.Attempt == attempt);
        var counts = await cases.GroupBy(t => t.Result).Select(g => new { Result = g.Key, Count = g.Count() }).ToListAsync(ct);
        int Count(string result) => counts.Where(c => c.Result == result).Sum(c => c.Count);
        var ignored = await (from n in db.Nodes
                             join a in db.Attempts on n.AttemptId equals a.Id
                             where a.JobId == jobId && a.Number == attempt
                             select n.TestCasesIgnored).SumAsync(ct);
        // A case without a file first, as SQLite orders nulls and PostgreSQL would not by itself.
        var items = await cases.OrderBy(t => t.Rank).ThenBy(t => t.File != null).ThenBy(t => t.File).ThenBy(t => t.ClassName).ThenBy(t => t.Name).ThenBy(t => t.Id)
            .Select(t => new TestCaseView(t.Id, t.Name, t.ClassName, t.File, t.Result, t.Seconds ?? 0, t.Message, t.Details, t.Source, t.NodeIndex))
            .ToListAsync(ct);
        var total = counts.Sum(c => c.Count);
        return new TestResultList(
            new TestCounts(total, Count("success"), Count("failure"), Count("error"), Count("skipped")) { Ignored = ignored },
            items);
    }

    private static SessionRecordingView RecordingView(SessionRecordingRecord r) => new(
        r.Id, r.NodeIndex, r.UserName, r.Fingerprint, r.Via, r.StartedAt, r.EndedAt, r.Seconds, r.Size, r.Truncated,
        RecordingUrl(r.JobId, r.Attempt, r.Id));

    /// <summary>Where a session recording is downloaded: <c>/api/jobs/{jobId}/recordings/{id}?attempt={n}</c>.</summary>
    public static string RecordingUrl(long jobId, int attempt, long id) =>
        FormattableString.Invariant($"/api/jobs/{jobId}/recordings/{id}?attempt={attempt}");

    /// <summary>Where an artifact's bytes are downloaded: <c>/api/jobs/{jobId}/artifacts/{nodeIndex}/{path}?attempt={n}</c>, each path segment escaped.</summary>
    public static string DownloadUrl(long jobId, int attempt, int nodeIndex, string path) =>
        FormattableString.Invariant($"/api/jobs/{jobId}/artifacts/{nodeIndex}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}?attempt={attempt}");
}
