using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Runners.Registry;

namespace Porthole.Server.Runners.Http;

/// <summary>
/// The runner protocol over HTTP (issue 14, <see cref="RunnerHttp"/>): the routes a remote runner calls, each a thin
/// door to <see cref="RunnerService"/>, the same object the built-in runner calls in-process. Who may call is decided
/// by <see cref="RunnerCalls"/>; the body limits and the input checks here.
/// </summary>
public static class RunnerProtocolApi
{
    public static IEndpointRouteBuilder MapRunnerProtocolApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(RunnerHttp.Prefix).AllowAnonymous().WithTags("Runner protocol").ExcludeFromDescription();
        group.MapPost("/register", RegisterAsync);
        group.MapPost("/lease", LeaseAsync);
        var node = group.MapGroup("/nodes/{nodeId:long}");
        node.MapPost("/heartbeat", (long nodeId, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Ok(runners.HeartbeatAsync(nodeId, ct))));
        node.MapPut("/log", RunnerLogApi.AppendAsync);
        node.MapPost("/steps", (long nodeId, StepReport report, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => RunnerInput.StepProblem(report) is { } problem
                ? Task.FromResult<IResult>(problem)
                : Done(runners.ReportStepAsync(nodeId, report, ct))));
        node.MapPost("/complete", (long nodeId, NodeCompletion completion, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Done(runners.CompleteNodeAsync(nodeId, completion with { Message = RunnerInput.Clip(completion.Message) }, ct))));
        node.MapPut("/ssh/endpoint", (long nodeId, SshEndpointInfo endpoint, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Done(runners.ReportSshEndpointAsync(nodeId, endpoint, ct))));
        node.MapPost("/ssh/events", (long nodeId, SshEvent sshEvent, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Done(runners.ReportSshEventAsync(nodeId, sshEvent, ct))));
        node.MapPost("/hold", (long nodeId, NodeCompletion held, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => held.Result is NodeResult.Failed or NodeResult.TimedOut
                ? Done(runners.HoldNodeAsync(nodeId, held with { Message = RunnerInput.Clip(held.Message) }, ct))
                : Task.FromResult<IResult>(RunnerInput.Bad("A node is held only when a step failed or timed out: the result must be failed or timed_out."))));
        node.MapPut("/ssh/window", (long nodeId, SshWindow window, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Done(runners.ReportSshWindowAsync(nodeId, window, ct))));
        node.MapPut("/blobs/{digest}", RunnerBlobApi.UploadAsync);
        node.MapGet("/blobs/{digest}", RunnerBlobApi.DownloadAsync);
        node.MapPost("/caches/find", (long nodeId, CacheQuery query, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, async () => await runners.FindCacheAsync(nodeId, query, ct) is { } hit ? TypedResults.Ok(hit) : TypedResults.NoContent()));
        node.MapPost("/caches", (long nodeId, CacheEntry entry, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Ok(runners.SaveCacheAsync(nodeId, entry, ct))));
        node.MapPost("/workspace", (long nodeId, WorkspaceLayer layer, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Done(runners.PersistWorkspaceAsync(nodeId, layer, ct))));
        node.MapGet("/workspace", (long nodeId, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Ok(runners.AttachWorkspaceAsync(nodeId, ct))));
        node.MapPost("/artifacts", (long nodeId, ArtifactFile artifact, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Done(runners.StoreArtifactAsync(nodeId, artifact, ct))));
        node.MapPost("/recordings", (long nodeId, SessionRecordingFile recording, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Done(runners.StoreRecordingAsync(nodeId, recording, ct))));
        node.MapPost("/test-results", (long nodeId, List<TestCaseResult> cases, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Done(runners.StoreTestResultsAsync(nodeId, cases, ct))));
        node.MapGet("/test-timings", (long nodeId, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Ok(runners.TestTimingsAsync(nodeId, ct))));
        node.MapGet("/siblings", (long nodeId, HttpContext http, PortholeDb db, RunnerService runners, TimeProvider time, CancellationToken ct) =>
            WithNodeAsync(http, db, time, nodeId, ct, () => Ok(runners.SiblingNodesAsync(nodeId, ct))));
        return app;
    }

    private static async Task<Results<Ok<RunnerRegisterReply>, ProblemHttpResult>> RegisterAsync(
        RunnerRegisterRequest? request, HttpContext http, PortholeDb db, TimeProvider time, RunnerRegistry registry, IOptions<PortholeOptions> options, CancellationToken ct)
    {
        var (caller, refused) = await RunnerCalls.CallerAsync(http, db, time, ct);
        if (caller is null)
        {
            return refused!;
        }

        if (RunnerInput.RegistrationProblem(request, caller.Name) is { } problem)
        {
            return problem;
        }

        if (await RunnerInput.NameTakenAsync(db, caller, ct))
        {
            return Problems.Conflict("runner_name_taken", $"A runner named {caller.Name} is already registered with another token (or is a server's built-in runner).");
        }

        var id = await registry.RegisterAsync(
            new RunnerRegistration(caller.Name, request!.Version.Trim(), [.. request.Labels.Select(l => l.Trim()).Distinct(StringComparer.Ordinal)], request.Capacity, request.Address.Trim(), caller.Token.Id),
            caller.Name,
            ct);
        return TypedResults.Ok(new RunnerRegisterReply(id, caller.Name, [.. registry.LabelsOf(caller.Name).Order(StringComparer.Ordinal)], RunnerRegistry.ServerVersion, options.Value.LeaseDuration));
    }

    private static async Task<Results<Ok<NodeAssignment>, NoContent, ProblemHttpResult>> LeaseAsync(
        double? wait, HttpContext http, PortholeDb db, TimeProvider time, RunnerRegistry registry, RunnerService runners, CancellationToken ct)
    {
        var (caller, refused) = await RunnerCalls.CallerAsync(http, db, time, ct);
        if (caller is null)
        {
            return refused!;
        }

        if (wait is < 0 or > 20 || (wait is { } w && !double.IsFinite(w)))
        {
            return RunnerInput.Bad("wait is how many seconds to wait for a node: 0 to 20 (20 by default).");
        }

        if (caller.Runner is not { } runner)
        {
            return Problems.Conflict(RunnerCalls.NotRegistered, "register first: this runner token has no registered runner (POST /api/runner/register).");
        }

        // A server that restarted (or another replica) learns the runner from its record.
        registry.Remember(runner, caller.Name);
        try
        {
            return await runners.LeaseAsync(caller.Name, TimeSpan.FromSeconds(wait ?? RunnerHttp.LongPoll.TotalSeconds), ct) is { } assignment ? TypedResults.Ok(assignment) : TypedResults.NoContent();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return TypedResults.NoContent();
        }
    }

    /// <summary>Runs <paramref name="call"/> when the caller holds the node's current lease; else the refusal.</summary>
    internal static async Task<IResult> WithNodeAsync(HttpContext http, PortholeDb db, TimeProvider time, long nodeId, CancellationToken ct, Func<Task<IResult>> call)
    {
        var (caller, refused) = await RunnerCalls.CallerAsync(http, db, time, ct);
        if (caller is null)
        {
            return refused!;
        }

        var (_, notHeld) = await RunnerCalls.HeldNodeAsync(http, db, caller, nodeId, ct);
        if (notHeld is not null)
        {
            return notHeld;
        }

        try
        {
            return await call();
        }
        catch (Exception e) when ((e is InvalidOperationException or ArgumentException or FormatException) && !Data.DatabaseFaults.IsUnreachable(e))
        {
            // EF wraps the database being away in an InvalidOperationException too: that is a 503 (DatabaseUnavailableHandler), never a refusal.
            return Problems.BadRequest(ErrorCodes.InvalidRequest, e.Message);
        }
    }

    private static async Task<IResult> Ok<T>(Task<T> call) => TypedResults.Ok(await call);

    private static async Task<IResult> Done(Task call)
    {
        await call;
        return TypedResults.NoContent();
    }
}
