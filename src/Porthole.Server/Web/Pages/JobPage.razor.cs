using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Debug;
using Porthole.Server.JobData;
using Porthole.Server.Pipelines;
using Porthole.Server.Ssh;
using Porthole.Server.Web.Sessions;

namespace Porthole.Server.Web.Pages;

/// <summary>
/// GET <c>/jobs/{id}</c>: a job, its attempts, and the steps of one attempt (<c>?attempt=N</c>, the latest by default)
/// with their live logs (joblog.js), its test results, artifacts and session recordings, and, for an SSH or debug
/// attempt, the SSH panel.
/// The forms of its Rerun menu, Debug job and Cancel post to the handlers below, which go through the API's services
/// and redirect back here with a <see cref="Flash"/> message.
/// </summary>
public sealed partial class JobPage
{
    [Parameter, EditorRequired]
    public JobView Job { get; set; } = null!;

    [Parameter, EditorRequired]
    public int SelectedAttempt { get; set; }

    [Parameter, EditorRequired]
    public ProjectPermissions Permissions { get; set; } = null!;

    /// <summary>The SSH panel of the selected attempt, when it is an SSH or debug attempt.</summary>
    [Parameter]
    public Components.SshPanelModel? Ssh { get; set; }

    /// <summary>Who asked for each attempt, by attempt number.</summary>
    [Parameter]
    public IReadOnlyDictionary<int, string> RequestedBy { get; set; } = new Dictionary<int, string>();

    /// <summary>The selected attempt's artifacts.</summary>
    [Parameter]
    public ArtifactList Artifacts { get; set; } = new([]);

    /// <summary>The names of the job's steps, in its plan's order: what a breakpoint (R-BEY-4) may name.</summary>
    [Parameter]
    public IReadOnlyList<string> Steps { get; set; } = [];

    /// <summary>The selected attempt's session recordings (R-BEY-2).</summary>
    [Parameter]
    public SessionRecordingList Recordings { get; set; } = new([]);

    /// <summary>The selected attempt's test results.</summary>
    [Parameter]
    public TestResultList Tests { get; set; } = new(new TestCounts(0, 0, 0, 0, 0), []);

    public static async Task<IResult> GetAsync(
        string id, string? attempt, HttpContext http, PortholeDb db, Views views, JobDataViews jobData, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (job, project, problem) = await Lookups.JobAsync(db, id, user, Roles.Read, "see it", ct);
        if (job is null)
        {
            // R-ID-1: a pipeline's id where a job's is expected gets the pipeline's jobs, not a bare 404.
            return problem!.ProblemDetails.Extensions.TryGetValue("pipeline_id", out var value) && value is long pipelineId
                ? await PipelineIdPage.GetAsync(pipelineId, db, views, ct)
                : WebResults.Problem(problem);
        }

        var view = await views.JobAsync(db, job, ct);
        var selected = view.Attempts[^1].Number;
        if (attempt is not null)
        {
            if (!int.TryParse(attempt, NumberStyles.None, CultureInfo.InvariantCulture, out selected) || view.Attempts.All(a => a.Number != selected))
            {
                return WebResults.NotFound(
                    $"Job {job.Id} has attempts 1 to {view.Attempts.Count}, not '{Lookups.Shorten(attempt)}'. Its latest attempt is at {Links.Job(job.Id)}.");
            }
        }

        var requesters = await (from a in db.Attempts
                                where a.JobId == job.Id
                                join u in db.Users on a.RequestedBy equals u.Id
                                select new { a.Number, u.Name }).ToDictionaryAsync(x => x.Number, x => x.Name, ct);
        var permissions = await ProjectPermissions.ForAsync(db, project!, user, ct);
        var record = await db.Attempts.SingleAsync(a => a.JobId == job.Id && a.Number == selected, ct);
        return WebResults.Page<JobPage>(new
        {
            Job = view,
            SelectedAttempt = selected,
            Permissions = permissions,
            Ssh = record.Ssh || view.Attempts.Single(a => a.Number == selected).Nodes.Any(n => n.Ssh?.HeldAt is not null)
                ? await Components.SshPanelModel.ForAsync(db, job, project!, record, user, permissions, ct)
                : null,
            RequestedBy = requesters,
            Steps = StepBreakpoints.Steps(job),
            Artifacts = await jobData.ArtifactsAsync(job.Id, selected, ct),
            Tests = await jobData.TestsAsync(job.Id, selected, ct),
            Recordings = await jobData.RecordingsAsync(job.Id, selected, ct),
        });
    }

    /// <summary>"Rerun job": the same checks and service as <c>POST /api/jobs/{id}/rerun</c>.</summary>
    public static async Task<IResult> RerunAsync(string id, HttpContext http, PortholeDb db, Reruns reruns, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (job, _, problem) = await Lookups.JobAsync(db, id, user, Roles.Write, "rerun it", ct);
        if (job is null)
        {
            return Refused(http, id, problem!);
        }

        var (jobs, refusal) = await reruns.RerunJobAsync(db, job, user.Id, ct);
        return Flash.RedirectWith(http, Links.Job(job.Id), jobs is null
            ? new FlashMessage(refusal!, IsError: true)
            : new FlashMessage($"Job {job.Name} rerun: {string.Join(", ", jobs.Select(j => $"{j.Name} attempt {j.Attempt}"))}.", IsError: false));
    }

    /// <summary>
    /// "Rerun job with SSH" (R-SSH-1): <see cref="SshRerun"/>, as <c>POST /api/jobs/{id}/rerun {"ssh": true}</c>, with its
    /// messages; with <c>break_before</c> (a step's index) or <c>break_on_failure</c>, a debug run that stops there (R-BEY-4).
    /// </summary>
    public static async Task<IResult> RerunWithSshAsync(
        string id,
        [FromForm(Name = "break_before")] string? breakBefore,
        [FromForm(Name = "break_on_failure")] string? breakOnFailure,
        HttpContext http,
        PortholeDb db,
        SshRerun sshRerun,
        CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (job, project, problem) = await Lookups.JobAsync(db, id, user, Roles.Read, "rerun it", ct);
        if (job is null)
        {
            return Refused(http, id, problem!);
        }

        var breakpoint = string.IsNullOrEmpty(breakBefore) ? null : breakBefore;
        var (started, sshRefusal) = await sshRerun.RequestAsync(db, job, project!, user, ct, breakpoint, breakOnFailure == "true");
        if (started is null)
        {
            return Flash.RedirectWith(http, Links.Job(job.Id), new FlashMessage(sshRefusal!.Detail, IsError: true));
        }

        var attempt = await db.Attempts.SingleAsync(a => a.JobId == job.Id && a.Number == started[0].Attempt, ct);
        return Flash.RedirectWith(http, Links.Job(job.Id), new FlashMessage(
            StepBreakpoints.Stops(job, attempt) is { } stops
                ? $"Rerun with SSH started: attempt {started[0].Attempt}, a debug run that {stops}. The SSH panel shows the command to connect with; porthole-continue in the session runs the rest of the steps."
                : $"Rerun with SSH started: attempt {started[0].Attempt}. The SSH panel shows the command to connect with as soon as the node's sshd is up.",
            IsError: false));
    }

    /// <summary>
    /// "Debug job" / "Debug build" (R-DBG-1): <see cref="DebugStarter"/>, as <c>POST /api/jobs/{id}/debug</c> and Travis's call;
    /// with <c>from_step</c> (a step's index) the steps before it run first (R-BEY-4).
    /// </summary>
    public static async Task<IResult> DebugAsync(
        string id,
        [FromForm(Name = "quiet")] string? quiet,
        [FromForm(Name = "from_step")] string? fromStep,
        HttpContext http,
        PortholeDb db,
        DebugStarter starter,
        CancellationToken ct)
    {
        var quietly = quiet == "true";
        var (job, attempt, refusal) = await starter.StartAsync(db, id, CurrentUser.From(http.User), quietly, ct, string.IsNullOrEmpty(fromStep) ? null : fromStep);
        if (refusal is not null)
        {
            return refusal.Kind == DebugRefusalKind.NotFound
                ? WebResults.NotFound(Sentence(refusal.Message))
                : Flash.RedirectWith(http, Ids.TryParse(id, out var jobId) ? Links.Job(jobId) : WebPaths.Projects, new FlashMessage(Sentence(refusal.Message), IsError: true));
        }

        var mode = quietly ? " in quiet mode (no session output in the log)" : "";
        var stops = StepBreakpoints.Stops(job!, attempt!) ?? "stops before the first step";
        return Flash.RedirectWith(http, Links.Job(job!.Id), new FlashMessage(
            $"Debug run started{mode}: attempt {attempt!.Number}. It {stops}; connect with the command in the SSH panel.",
            IsError: false));
    }

    /// <summary>"Cancel": the same checks and service as <c>POST /api/jobs/{id}/cancel</c>; ends the SSH nodes and their sessions too.</summary>
    public static async Task<IResult> CancelAsync(string id, HttpContext http, PortholeDb db, Reruns reruns, CancellationToken ct)
    {
        var (job, _, problem) = await Lookups.JobAsync(db, id, CurrentUser.From(http.User), Roles.Write, "cancel it", ct);
        if (job is null)
        {
            return Refused(http, id, problem!);
        }

        var refusal = await reruns.CancelAsync(db, job, ct);
        return Flash.RedirectWith(http, Links.Job(job.Id), refusal is null
            ? new FlashMessage($"Cancel requested: the running nodes of job {job.Name} end within a few seconds, and their SSH sessions with them.", IsError: false)
            : new FlashMessage(refusal, IsError: true));
    }

    /// <summary>
    /// The SSH panel's "End session" (R-DBG-7: an admin may end any session): <c>SshApi.EndSessionAsync</c>, as
    /// <c>POST /api/jobs/{id}/ssh/sessions/{session}/end</c>; the node closes the connection at its next heartbeat.
    /// </summary>
    public static async Task<IResult> EndSessionAsync(
        string id, string sessionId, [FromForm(Name = "back")] string? back, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (job, _, problem) = await Lookups.JobAsync(db, id, user, Roles.Admin, "end an SSH session", ct);
        if (job is null)
        {
            return Refused(http, id, problem!);
        }

        var (session, refusal) = await SshApi.EndSessionAsync(db, job, sessionId, user, time, ct);
        return Flash.RedirectWith(http, ReturnUrls.LocalOrDefault(back, Links.Job(job.Id)), session is null
            ? new FlashMessage(refusal!.Detail, IsError: true)
            : new FlashMessage($"Ending the session of {session.User ?? "?"} from {session.Address} on node {session.Node}: it closes within a few seconds.", IsError: false));
    }

    /// <summary>A form the user may not use (403): back to the job with the reason; a job that is not there: the error page.</summary>
    private static IResult Refused(HttpContext http, string id, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult problem) =>
        problem.StatusCode == StatusCodes.Status403Forbidden && Ids.TryParse(id, out var jobId)
            ? Flash.RedirectWith(http, Links.Job(jobId), new FlashMessage(problem.ProblemDetails.Detail!, IsError: true))
            : WebResults.Problem(problem);

    /// <summary>Travis's lower-case messages as a sentence for the page.</summary>
    private static string Sentence(string message) =>
        message.Length == 0 ? message : char.ToUpperInvariant(message[0]) + message[1..] + (message.EndsWith('.') ? "" : ".");

    private AttemptView Selected => Job.Attempts.Single(a => a.Number == SelectedAttempt);

    private AttemptView Latest => Job.Attempts[^1];

    /// <summary>"2 Run tests": a step as the breakpoint selects list it.</summary>
    private string StepOption(int index) => $"{index.ToString(CultureInfo.InvariantCulture)} {Api.MessageText.Shorten(Steps[index])}";

    private static string ReasonText(AttemptView attempt) => attempt.Reason switch
    {
        "trigger" => "triggered",
        "rerun" => "rerun",
        "rerun_from_failed" => "rerun from failed",
        "rerun_with_ssh" => "rerun with SSH",
        "debug" => "debug",
        var other => other.Replace('_', ' '),
    };
}
