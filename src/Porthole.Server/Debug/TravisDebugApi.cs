using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Porthole.Server.Accounts;
using Porthole.Data;

namespace Porthole.Server.Debug;

/// <summary>
/// Travis CI's v3 <c>POST /job/{id}/debug</c> exactly as the seed's curl command sends it (<c>Travis-API-Version: 3</c>,
/// <c>Authorization: token T</c>, <c>{"quiet": true}</c> or <c>{}</c>), answered in Travis's shapes.
/// </summary>
public static class TravisDebugApi
{
    public static void MapTravisDebugApi(this IEndpointRouteBuilder app)
    {
        // Anonymous here so that a missing token gets Travis's login_required, not our own 401.
        app.MapPost("/job/{id}/debug", DebugAsync).AllowAnonymous().WithTags("Travis v3");
        app.MapPost("/v3/job/{id}/debug", DebugAsync).AllowAnonymous().WithTags("Travis v3");
    }

    private static async Task<JsonHttpResult<object>> DebugAsync(
        string id, TravisDebugBody? body, HttpContext http, PortholeDb db, DebugStarter starter, CancellationToken ct)
    {
        if (http.User.Identity?.IsAuthenticated != true)
        {
            return TravisErrors.Create(StatusCodes.Status403Forbidden, "login_required", "login required");
        }

        var (job, _, refusal) = await starter.StartAsync(db, id, CurrentUser.From(http.User), body?.Quiet ?? false, ct);
        if (refusal is not null)
        {
            return refusal.Kind switch
            {
                DebugRefusalKind.NotFound => TravisErrors.Create(StatusCodes.Status404NotFound, "not_found", refusal.Message),
                DebugRefusalKind.InsufficientAccess => TravisErrors.Create(StatusCodes.Status403Forbidden, "insufficient_access", refusal.Message),
                DebugRefusalKind.DebugUnavailable => TravisErrors.Create(StatusCodes.Status403Forbidden, "debug_unavailable", refusal.Message),
                DebugRefusalKind.NoSshKey => TravisErrors.Create(StatusCodes.Status403Forbidden, "ssh_key_required", refusal.Message),
                DebugRefusalKind.InvalidStep => TravisErrors.Create(StatusCodes.Status422UnprocessableEntity, "wrong_params", refusal.Message),
                _ => TravisErrors.Create(StatusCodes.Status409Conflict, "job_already_running", refusal.Message),
            };
        }

        var pending = new Dictionary<string, object>
        {
            ["@type"] = "pending",
            ["job"] = new Dictionary<string, object>
            {
                ["@type"] = "job",
                ["@href"] = $"/job/{job!.Id}",
                ["@representation"] = "minimal",
                ["id"] = job.Id,
            },
            ["state_change"] = "created",
            ["resource_type"] = "job",
        };
        return TypedResults.Json<object>(pending, statusCode: StatusCodes.Status202Accepted);
    }
}

public sealed record TravisDebugBody([property: JsonPropertyName("quiet")] bool? Quiet);
