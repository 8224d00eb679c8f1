using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Data;

namespace Porthole.Server.Debug;

/// <summary>
/// Travis's v3 <c>GET /job/{id}</c>, in Travis's vocabulary (R-CI-6): <c>passed</c>, <c>failed</c>, <c>errored</c>,
/// <c>canceled</c>, and <c>created</c>/<c>queued</c>/<c>started</c> before the end — so Travis scripts that poll a job
/// after asking for a debug run work as they are.
/// </summary>
public static class TravisJobApi
{
    public static void MapTravisJobApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/job/{id}", GetAsync).AllowAnonymous().WithTags("Travis v3");
        app.MapGet("/v3/job/{id}", GetAsync).AllowAnonymous().WithTags("Travis v3");
    }

    /// <summary>A Porthole status in Travis's words: a timeout or an infrastructure failure is Travis's <c>errored</c>.</summary>
    public static string TravisState(string status) => status switch
    {
        Status.Success => "passed",
        Status.Failed or Status.NotRun => "failed",
        Status.TimedOut or Status.InfrastructureFail => "errored",
        Status.Canceled => "canceled",
        Status.Running => "started",
        Status.Queued => "queued",
        _ => "created",
    };

    /// <summary>
    /// The steps whose failure makes a Travis job errored rather than failed (§B0): the checkout, the language's setup, the
    /// apt addon, before_install, install, before_script, and a deploy (travis-build ends a failed deploy with
    /// <c>travis_terminate 2</c>).
    /// </summary>
    private static readonly string[] SetupPhases = ["checkout", "setup", "apt", "before_install", "install", "before_script"];

    private static bool Errors(string step) =>
        SetupPhases.Contains(step, StringComparer.Ordinal) || step.StartsWith("deploy ", StringComparison.Ordinal) && step.EndsWith(')');

    private static async Task<bool> SetupFailedAsync(PortholeDb db, long attemptId, CancellationToken ct)
    {
        var nodeIds = await db.Nodes.Where(n => n.AttemptId == attemptId).Select(n => n.Id).ToListAsync(ct);
        var failed = await db.Steps
            .Where(s => nodeIds.Contains(s.NodeId) && s.Status == Status.Failed)
            .Select(s => s.Name)
            .ToListAsync(ct);
        return failed.Count > 0 && failed.All(Errors);
    }

    private static async Task<JsonHttpResult<object>> GetAsync(string id, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        if (http.User.Identity?.IsAuthenticated != true)
        {
            return TravisErrors.Create(StatusCodes.Status403Forbidden, "login_required", "login required");
        }

        var user = CurrentUser.From(http.User);
        var job = Api.Ids.TryParse(id, out var jobId) ? await db.Jobs.SingleOrDefaultAsync(j => j.Id == jobId, ct) : null;
        var pipeline = job is null ? null : await db.Pipelines.SingleAsync(p => p.Id == job.PipelineId, ct);
        var project = pipeline is null ? null : await db.Projects.SingleAsync(p => p.Id == pipeline.ProjectId, ct);
        if (job is null || pipeline is null || project is null || await ProjectAccess.RoleOfAsync(db, project, user, ct) is null)
        {
            return TravisErrors.Create(StatusCodes.Status404NotFound, "not_found", "job not found (or insufficient access)");
        }

        var attempt = await db.Attempts.Where(a => a.JobId == job.Id && !a.Ssh).OrderByDescending(a => a.Number).FirstAsync(ct);
        var state = TravisState(job.Status);
        if (state == "failed" && await SetupFailedAsync(db, attempt.Id, ct))
        {
            // Travis says errored, not failed, when the job broke before its script phase.
            state = "errored";
        }

        return TypedResults.Json<object>(new Dictionary<string, object?>
        {
            ["@type"] = "job",
            ["@href"] = $"/job/{job.Id}",
            ["@representation"] = "standard",
            ["id"] = job.Id,
            ["number"] = $"{pipeline.Number}.{job.Number}",
            ["state"] = state,
            ["started_at"] = attempt.StartedAt,
            ["finished_at"] = attempt.FinishedAt,
            ["build"] = new Dictionary<string, object> { ["@type"] = "build", ["@href"] = $"/build/{pipeline.Id}", ["@representation"] = "minimal", ["id"] = pipeline.Id, ["number"] = $"{pipeline.Number}" },
            ["repository"] = new Dictionary<string, object> { ["@type"] = "repository", ["@representation"] = "minimal", ["name"] = project.Name },
        });
    }
}

/// <summary>Travis's error shape: <c>{"@type": "error", "error_type": …, "error_message": …}</c>.</summary>
public static class TravisErrors
{
    public static JsonHttpResult<object> Create(int status, string type, string message) =>
        TypedResults.Json<object>(
            new Dictionary<string, object> { ["@type"] = "error", ["error_type"] = type, ["error_message"] = message },
            statusCode: status);
}
