using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.JobData;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Web.Pages;

/// <summary>
/// GET <c>/jobs/{id}/recordings/{recordingId}</c> (<c>?attempt=N</c>, the latest by default): one recorded session
/// (R-BEY-2), who opened it and how, replayed in the page by asciinema-player (<c>recording.js</c>) from the API's
/// asciicast file, which is also its Download link. The job page's access: who may not read the job gets its 404, and so
/// does a recording id that is not one of this attempt's.
/// </summary>
public sealed partial class RecordingPage
{
    [Parameter, EditorRequired]
    public JobView Job { get; set; } = null!;

    [Parameter, EditorRequired]
    public int Attempt { get; set; }

    [Parameter, EditorRequired]
    public SessionRecordingView Recording { get; set; } = null!;

    public static async Task<IResult> GetAsync(
        string id, string recordingId, string? attempt, HttpContext http, PortholeDb db, Views views, JobDataViews jobData, CancellationToken ct)
    {
        var (job, _, problem) = await Lookups.JobAsync(db, id, CurrentUser.From(http.User), Roles.Read, "see it", ct);
        if (job is null)
        {
            return WebResults.Problem(problem!);
        }

        var number = job.AttemptCount;
        if (attempt is not null && (!int.TryParse(attempt, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number < 1 || number > job.AttemptCount))
        {
            return WebResults.NotFound($"Job {job.Id} has attempts 1 to {job.AttemptCount}, not '{Lookups.Shorten(attempt)}'.");
        }

        var recording = long.TryParse(recordingId, NumberStyles.None, CultureInfo.InvariantCulture, out var key)
            ? await jobData.RecordingAsync(job.Id, number, key, ct)
            : null;
        if (recording is null)
        {
            return WebResults.NotFound(
                $"Attempt {number} of job {job.Id} has no session recording '{Lookups.Shorten(recordingId)}'. The job's page lists its recordings: {Links.Job(job.Id, number)}.");
        }

        // The player compiles its terminal emulator (WebAssembly): this page's policy admits that, and no other page's.
        SecurityHeaders.AllowWebAssembly(http);
        return WebResults.Page<RecordingPage>(new { Job = await views.JobAsync(db, job, ct), Attempt = number, Recording = recording });
    }

    private string Via => Components.RecordingText.Via(Recording.Via);

    private string FileName => Components.RecordingText.FileName(Job.Id, Recording);
}
