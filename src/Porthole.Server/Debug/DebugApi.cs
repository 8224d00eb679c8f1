using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Debug;

/// <summary>Porthole's own <c>POST /api/jobs/{id}/debug</c> (<c>{"quiet": true}</c>, <c>{"from_step": "2"}</c>), with ProblemDetails errors.</summary>
public static class DebugApi
{
    public static void MapDebugApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/jobs/{id}/debug", DebugAsync).RequireAuthorization().WithTags("Debug");
    }

    private static async Task<Results<Accepted<RerunResponse>, ProblemHttpResult>> DebugAsync(
        string id, DebugJobRequest? request, HttpContext http, PortholeDb db, DebugStarter starter, CancellationToken ct)
    {
        var (job, attempt, refusal) = await starter.StartAsync(db, id, CurrentUser.From(http.User), request?.Quiet ?? false, ct, request?.FromStep);
        if (refusal is not null)
        {
            return refusal.Kind switch
            {
                DebugRefusalKind.NotFound => Problems.NotFound(ErrorCodes.JobNotFound, refusal.Message),
                DebugRefusalKind.InsufficientAccess => Problems.Forbidden(refusal.Message),
                DebugRefusalKind.DebugUnavailable => Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.DebugDisabled, refusal.Message),
                DebugRefusalKind.NoSshKey => Problems.Create(StatusCodes.Status422UnprocessableEntity, ErrorCodes.NoSshKey, refusal.Message),
                DebugRefusalKind.InvalidStep => Problems.Create(StatusCodes.Status422UnprocessableEntity, refusal.Code ?? ErrorCodes.InvalidRequest, refusal.Message),
                _ => Problems.Conflict(ErrorCodes.JobNotFinished, refusal.Message),
            };
        }

        return TypedResults.Accepted($"/api/jobs/{job!.Id}", new RerunResponse(job.WorkflowId, [new JobAttemptRef(job.Id, job.Name, attempt!.Number)]));
    }
}
