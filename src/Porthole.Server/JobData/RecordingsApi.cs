using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Porthole.Contracts.Api;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.JobData;

/// <summary>
/// A job's recorded SSH and debug sessions (R-BEY-2): the list of an attempt (the latest when none is asked for), oldest
/// first, and each recording's asciicast file, with the job log's access rules (<see cref="JobDataApi.AttemptAsync"/>):
/// who may not read the project gets the log's 404.
/// </summary>
public static class RecordingsApi
{
    public const string RecordingNotFound = "recording_not_found";

    /// <summary>asciinema's type for an asciicast file.</summary>
    public const string AsciicastType = "application/x-asciicast";

    public static void MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/jobs/{id}/recordings").RequireAuthorization().WithTags("Job data");
        group.MapGet("", ListAsync);
        group.MapGet("/{recordingId}", DownloadAsync);
    }

    private static async Task<Results<Ok<SessionRecordingList>, ProblemHttpResult>> ListAsync(
        string id, HttpContext http, PortholeDb db, JobDataViews views, CancellationToken ct, int? attempt = null)
    {
        var (job, number, problem) = await JobDataApi.AttemptAsync(id, attempt, "read its session recordings", http, db, ct);
        return job is null ? problem! : TypedResults.Ok(await views.RecordingsAsync(job.Id, number, ct));
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadAsync(
        string id, string recordingId, HttpContext http, PortholeDb db, BlobFiles files, CancellationToken ct, int? attempt = null)
    {
        var (job, number, problem) = await JobDataApi.AttemptAsync(id, attempt, "read its session recordings", http, db, ct);
        if (job is null)
        {
            return problem!;
        }

        var recording = long.TryParse(recordingId, NumberStyles.None, CultureInfo.InvariantCulture, out var key)
            ? await Recordings.FindAsync(db, job.Id, number, key, ct)
            : null;
        var stream = recording is null ? null : files.Open(recording.Digest, 0);
        if (recording is null || stream is null)
        {
            return Problems.NotFound(
                RecordingNotFound,
                $"Attempt {number} of job {job.Id} has no session recording '{Lookups.Shorten(recordingId)}' "
                + $"(GET /api/jobs/{job.Id}/recordings?attempt={number} lists its recordings, each with its own address).");
        }

        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "sandbox";
        headers.ContentDisposition = FormattableString.Invariant(
            $"attachment; filename=\"job-{job.Id}-node-{recording.NodeIndex}-session-{recording.Id}.cast\"");
        return TypedResults.File(stream, AsciicastType, enableRangeProcessing: true);
    }
}
