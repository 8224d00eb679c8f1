using System.Net.Mime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.JobData;

/// <summary>
/// A job's artifacts (the list, CircleCI v2's shape, and each file's bytes) and test results, for an attempt (the latest
/// when none is asked for), with the job log's access rules: who may not read the project gets the log's 404.
/// </summary>
public static class JobDataApi
{
    public const string ArtifactNotFound = "artifact_not_found";

    /// <summary>The type by the file's extension; a log is text too.</summary>
    private static readonly FileExtensionContentTypeProvider ContentTypes = new() { Mappings = { [".log"] = MediaTypeNames.Text.Plain } };

    public static void MapJobDataApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/jobs/{id}").RequireAuthorization().WithTags("Job data");
        group.MapGet("/artifacts", ListArtifactsAsync);
        group.MapGet("/artifacts/{node}/{**path}", DownloadAsync);
        group.MapGet("/tests", TestsAsync);
    }

    private static async Task<Results<Ok<ArtifactList>, ProblemHttpResult>> ListArtifactsAsync(
        string id, HttpContext http, PortholeDb db, JobDataViews views, CancellationToken ct, int? attempt = null)
    {
        var (job, number, problem) = await AttemptAsync(id, attempt, "read its artifacts", http, db, ct);
        return job is null ? problem! : TypedResults.Ok(await views.ArtifactsAsync(job.Id, number, ct));
    }

    private static async Task<Results<Ok<TestResultList>, ProblemHttpResult>> TestsAsync(
        string id, HttpContext http, PortholeDb db, JobDataViews views, CancellationToken ct, int? attempt = null)
    {
        var (job, number, problem) = await AttemptAsync(id, attempt, "read its test results", http, db, ct);
        return job is null ? problem! : TypedResults.Ok(await views.TestsAsync(job.Id, number, ct));
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadAsync(
        string id, string node, string path, HttpContext http, PortholeDb db, BlobFiles files, CancellationToken ct, int? attempt = null)
    {
        var (job, number, problem) = await AttemptAsync(id, attempt, "read its artifacts", http, db, ct);
        if (job is null)
        {
            return problem!;
        }

        if (!int.TryParse(node, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, $"'{Lookups.Shorten(node)}' is not a node index: nodes are numbered from 0.");
        }

        if (index >= job.Parallelism)
        {
            return Problems.NotFound(ErrorCodes.NodeNotFound, $"Job {job.Id} has nodes 0 to {job.Parallelism - 1}, not {index}.");
        }

        var artifact = await Artifacts.FindAsync(db, job.Id, number, index, path, ct);
        var stream = artifact is null ? null : files.Open(artifact.Digest, 0);
        if (artifact is null || stream is null)
        {
            return Problems.NotFound(
                ArtifactNotFound,
                $"Attempt {number} of job {job.Id} has no artifact '{Lookups.Shorten(path)}' on node {index} (artifacts expire; GET /api/jobs/{job.Id}/artifacts?attempt={number} lists those kept).");
        }

        var type = ContentTypes.TryGetContentType(path, out var known) ? known : MediaTypeNames.Application.Octet;
        var shown = type == MediaTypeNames.Text.Plain || (type.StartsWith("image/", StringComparison.Ordinal) && type != "image/svg+xml");
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "sandbox";
        headers.ContentDisposition = new ContentDispositionHeaderValue(shown ? "inline" : "attachment")
        {
            FileNameStar = path[(path.LastIndexOf('/') + 1)..],
        }.ToString();
        return TypedResults.File(stream, type, enableRangeProcessing: true);
    }

    /// <summary>The job, checked readable as its log is, and the attempt asked for (the latest by default).</summary>
    internal static async Task<(JobRecord? Job, int Attempt, ProblemHttpResult? Problem)> AttemptAsync(
        string id, int? attempt, string action, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (job, _, problem) = await Lookups.JobAsync(db, id, CurrentUser.From(http.User), Roles.Read, action, ct);
        if (job is null)
        {
            return (null, 0, problem);
        }

        var number = attempt ?? job.AttemptCount;
        if (!await db.Attempts.AnyAsync(a => a.JobId == job.Id && a.Number == number, ct))
        {
            return (null, 0, Problems.NotFound(ErrorCodes.NotFound, $"Job {job.Id} has attempts 1 to {job.AttemptCount}, not {number}."));
        }

        return (job, number, null);
    }
}
