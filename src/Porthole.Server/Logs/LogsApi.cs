using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Logs;

/// <summary>A node's log as plain text from an offset, or live as server-sent events (R-CI-5).</summary>
public static class LogsApi
{
    private const int ChunkBytes = 64 * 1024;

    public static void MapLogsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/jobs/{id}/log").RequireAuthorization().WithTags("Logs");
        group.MapGet("/", ReadAsync);
        group.MapGet("/stream", StreamAsync);
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ReadAsync(
        string id, HttpContext http, PortholeDb db, LogStore logs, CancellationToken ct,
        int? node = null, int? attempt = null, long? offset = null, int? step = null)
    {
        var (record, problem) = await FindNodeAsync(id, node, attempt, offset, http, db, ct);
        if (record is null)
        {
            return problem!;
        }

        var length = logs.Length(record.Id);
        long from = offset ?? 0;
        long to = length;
        if (step is { } stepIndex)
        {
            var stepRecord = await db.Steps.SingleOrDefaultAsync(s => s.NodeId == record.Id && s.Index == stepIndex, ct);
            if (stepRecord is null)
            {
                return Problems.NotFound(ErrorCodes.NotFound, $"Node {record.Index} has no step {stepIndex}.");
            }

            from = stepRecord.LogStart + (offset ?? 0);
            to = Math.Min(stepRecord.LogEnd ?? length, length);
        }

        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers["X-Log-Length"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers["X-Log-Complete"] = Status.IsFinished(record.Status) ? "true" : "false";
        while (from < to)
        {
            var chunk = await logs.ReadAsync(record.Id, from, (int)Math.Min(ChunkBytes, to - from), ct);
            if (chunk.Length == 0)
            {
                break;
            }

            await http.Response.Body.WriteAsync(chunk, ct);
            from += chunk.Length;
        }

        return TypedResults.Empty;
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> StreamAsync(
        string id, HttpContext http, PortholeDb db, LogStore logs, TimeProvider time, CancellationToken ct,
        int? node = null, int? attempt = null, long? offset = null)
    {
        if (offset is null && long.TryParse(http.Request.Headers["Last-Event-ID"], out var resume))
        {
            offset = resume;
        }

        var (record, problem) = await FindNodeAsync(id, node, attempt, offset, http, db, ct);
        if (record is null)
        {
            return problem!;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.Body.FlushAsync(ct);

        var position = offset ?? 0;
        var nodeId = record.Id;
        while (!ct.IsCancellationRequested)
        {
            // Ask for the wake-up before reading, so an append between the read and the wait is not missed.
            var appended = logs.NextAppend(nodeId);
            var sent = false;
            while (position < logs.Length(nodeId))
            {
                var chunk = await logs.ReadAsync(nodeId, position, ChunkBytes, ct);
                var complete = Utf8Boundary.CompleteLength(chunk);
                if (complete == 0)
                {
                    break;
                }

                var text = Utf8Boundary.Decode(chunk.AsSpan(0, complete));
                var next = position + complete;
                await WriteEventAsync(http, "log", next, new LogEvent(position, next, text), ct);
                position = next;
                sent = true;
            }

            if (sent)
            {
                await http.Response.Body.FlushAsync(ct);
            }

            var status = await db.Nodes.Where(n => n.Id == nodeId).Select(n => n.Status).SingleAsync(ct);
            if (Status.IsFinished(status) && position >= logs.Length(nodeId))
            {
                await WriteEventAsync(http, "end", position, new LogEndEvent(status), ct);
                await http.Response.Body.FlushAsync(ct);
                break;
            }

            try
            {
                await appended.WaitAsync(TimeSpan.FromSeconds(1), time, ct);
            }
            catch (TimeoutException)
            {
                await http.Response.WriteAsync(": keep-alive\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
            }
        }

        return TypedResults.Empty;
    }

    private static async Task WriteEventAsync<T>(HttpContext http, string name, long id, T payload, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(payload, ApiJson.Options);
        await http.Response.WriteAsync($"event: {name}\nid: {id}\ndata: {json}\n\n", ct);
    }

    private static async Task<(NodeRecord? Node, ProblemHttpResult? Problem)> FindNodeAsync(
        string id, int? node, int? attempt, long? offset, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (job, _, problem) = await Lookups.JobAsync(db, id, CurrentUser.From(http.User), Roles.Read, "read its log", ct);
        if (job is null)
        {
            return (null, problem);
        }

        if (offset is < 0)
        {
            return (null, Problems.BadRequest(ErrorCodes.InvalidRequest, "The offset must be 0 or more."));
        }

        var attemptNumber = attempt ?? job.AttemptCount;
        var attemptRecord = await db.Attempts.SingleOrDefaultAsync(a => a.JobId == job.Id && a.Number == attemptNumber, ct);
        if (attemptRecord is null)
        {
            return (null, Problems.NotFound(ErrorCodes.NotFound, $"Job {job.Id} has attempts 1 to {job.AttemptCount}, not {attemptNumber}."));
        }

        var index = node ?? 0;
        var record = await db.Nodes.SingleOrDefaultAsync(n => n.AttemptId == attemptRecord.Id && n.Index == index, ct);
        if (record is null)
        {
            return (null, Problems.NotFound(ErrorCodes.NodeNotFound, $"Job {job.Id} has nodes 0 to {job.Parallelism - 1}, not {index}."));
        }

        return (record, null);
    }
}
