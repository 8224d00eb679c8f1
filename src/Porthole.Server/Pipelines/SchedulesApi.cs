using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Pipelines;

/// <summary><c>GET /api/projects/{name}/schedules</c>: the project's scheduled workflows by branch, with their next and last runs.</summary>
public static class SchedulesApi
{
    public static void MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/projects/{name}/schedules", ListAsync).RequireAuthorization().WithTags("Pipelines");
    }

    private static async Task<Results<Ok<List<ScheduleView>>, ProblemHttpResult>> ListAsync(
        string name, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Read, "see its schedules", ct);
        if (project is null)
        {
            return problem!;
        }

        var schedules = await db.Schedules.AsNoTracking().Where(s => s.ProjectId == project.Id).OrderBy(s => s.Branch).ThenBy(s => s.Workflow).ToListAsync(ct);
        var pipelineIds = schedules.Where(s => s.LastPipelineId is not null).Select(s => s.LastPipelineId!.Value).ToList();
        var numbers = await db.Pipelines.Where(p => pipelineIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Number, ct);
        var now = time.GetUtcNow();
        return TypedResults.Ok(schedules.Select(s => new ScheduleView(
            s.Workflow,
            s.Cron,
            s.Branch,
            ScheduleStore.NextSlot(s, now),
            s.LastRunAt,
            s.LastPipelineId,
            s.LastPipelineId is { } id && numbers.TryGetValue(id, out var number) ? number : null,
            s.LastError)).ToList());
    }
}
