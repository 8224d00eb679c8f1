using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Porthole.Contracts.Api;
using Porthole.Pipeline;
using Porthole.Server.Api;
using Porthole.Data;
using Porthole.Server.Data;

namespace Porthole.Server.Pipelines;

/// <summary>
/// GitHub's push webhook for one project (<c>POST /api/projects/{name}/hooks/github</c>). There is no token: the body's
/// HMAC with the project's hook secret is the authentication, checked before anything in the body is read. In order:
/// a body over <see cref="MaxBodyBytes"/> is refused (413) without being read to its end; a missing or wrong signature,
/// or a project without a secret (or none of that name), is 401 and nothing else happens; then the JSON (400 when it is
/// not), <c>ping</c> (200), other events (202, ignored), a push for another repository (422, see
/// <see cref="RepositoryNames"/>), a deleted branch or tag (202, ignored), and a branch or tag push starts a pipeline at
/// its <c>after</c> commit (201), triggered by the member who made the secret, with trigger source <c>webhook</c>.
/// </summary>
/// <remarks>
/// A delivery id (<c>X-GitHub-Delivery</c>) starts one pipeline at most: a row claims it (a unique index) before the
/// pipeline is made, and a delivery sent again answers 200 with the first one's pipeline. A push that made no pipeline
/// (its config is invalid, the repository cannot be fetched) leaves no claim, so GitHub's "Redeliver" tries again.
/// The pipeline is made whether or not GitHub waits for the answer (it gives up after 10 s).
/// </remarks>
public sealed partial class GitHubPushHook(
    IDbContextFactory<PortholeDb> databases, PipelineTrigger trigger, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<GitHubPushHook> logger)
{
    /// <summary>
    /// The largest body taken: 5 MiB. GitHub caps a payload at 25 MB (and then leaves out the commits), but a push's
    /// payload is a few kilobytes per commit and GitHub lists at most 20 commits, so 5 MiB is far above any real push.
    /// </summary>
    public const int MaxBodyBytes = 5 * 1024 * 1024;

    public const string EventHeader = "X-GitHub-Event";

    public const string DeliveryHeader = "X-GitHub-Delivery";

    private const string Unverified =
        "The body's X-Hub-Signature-256 does not verify with the project's hook secret (or the project has no hook secret yet: "
        + "make one with 'porthole project hook NAME' and give it to GitHub as the webhook's secret).";

    public async Task<IResult> ReceiveAsync(string projectName, HttpContext http)
    {
        var body = await ReadBodyAsync(http);
        if (body is null)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, HookErrorCodes.PayloadTooLarge,
                $"The body is over the webhook's limit of {MaxBodyBytes / (1024 * 1024)} MiB.");
        }

        await using var db = await databases.CreateDbContextAsync(http.RequestAborted);
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Name == projectName, http.RequestAborted);
        var hook = project is null ? null : await db.ProjectHooks.AsNoTracking().SingleOrDefaultAsync(h => h.ProjectId == project.Id, http.RequestAborted);
        if (!HookSignature.Verifies(hook?.Secret, http.Request.Headers[HookSignature.Header].FirstOrDefault(), body))
        {
            LogUnverified(logger, Shorten(projectName));
            return Problems.Create(StatusCodes.Status401Unauthorized, HookErrorCodes.SignatureInvalid, Unverified);
        }

        var eventName = http.Request.Headers[EventHeader].FirstOrDefault() ?? "";
        var delivery = http.Request.Headers[DeliveryHeader].FirstOrDefault() ?? "";
        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            payload = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, $"The body is not JSON ({e.Message}); set the GitHub webhook's content type to application/json.");
        }

        if (payload.ValueKind != JsonValueKind.Object)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "The body must be a JSON object, as GitHub sends.");
        }

        if (eventName == "ping")
        {
            return TypedResults.Ok(new HookDeliveryView(delivery, eventName, HookOutcomes.Pong, "The hook is set up: pushes to the repository start pipelines."));
        }

        if (eventName != "push")
        {
            var what = eventName.Length == 0 ? $"A delivery without {EventHeader}" : $"The '{Shorten(eventName)}' event";
            return TypedResults.Accepted((string?)null, new HookDeliveryView(delivery, eventName, HookOutcomes.Ignored, $"{what} is not acted on: only push starts pipelines."));
        }

        if (delivery.Length is 0 or > 100 || delivery.Any(char.IsControl))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, $"A push needs its {DeliveryHeader} id (at most 100 characters).");
        }

        var push = PushEvent.Read(payload);
        if (push.Problem is { } problem)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, problem);
        }

        if (!RepositoryNames.SameRepository(project!.Repository, push.Addresses, push.FullName))
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, HookErrorCodes.WrongRepository,
                $"The push is for {Shorten(push.FullName ?? push.Addresses.FirstOrDefault(a => a is not null) ?? "an unnamed repository")}, "
                + $"not for project {project.Name}'s repository {project.Repository}.");
        }

        if (push.Deleted)
        {
            return TypedResults.Accepted((string?)null, new HookDeliveryView(delivery, eventName, HookOutcomes.Ignored, $"{push.Ref} was deleted: nothing to build."));
        }

        if (push.Branch is null && push.Tag is null)
        {
            return TypedResults.Accepted((string?)null, new HookDeliveryView(delivery, eventName, HookOutcomes.Ignored, $"{Shorten(push.Ref)} is neither a branch nor a tag: nothing to build."));
        }

        return await TriggerOnceAsync(db, project, hook!, delivery, push);
    }

    private async Task<IResult> TriggerOnceAsync(PortholeDb db, Project project, ProjectHookRecord hook, string delivery, PushEvent push)
    {
        // Not the request's token: GitHub stops waiting after 10 s, and a pipeline half made is worth nothing.
        var ct = lifetime.ApplicationStopping;
        var claim = new HookDeliveryRecord { ProjectId = project.Id, DeliveryId = delivery, ReceivedAt = time.GetUtcNow() };
        db.HookDeliveries.Add(claim);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (ServerDatabase.IsConstraintViolation(e))
        {
            db.ChangeTracker.Clear();
            return await EarlierAnswerAsync(db, project, delivery, ct);
        }

        try
        {
            var input = new TriggerInput { Branch = push.Branch, Tag = push.Tag, Commit = push.After, Source = TriggerSources.Webhook };
            var (pipeline, refusal) = await trigger.TriggerAsync(db, project, input, hook.CreatedBy, ct);
            if (pipeline is null)
            {
                await db.HookDeliveries.Where(d => d.Id == claim.Id).ExecuteDeleteAsync(CancellationToken.None);
                LogRefused(logger, project.Name, delivery, refusal!.Code);
                return TriggerProblems.Of(refusal, StatusCodes.Status422UnprocessableEntity);
            }

            await db.HookDeliveries.Where(d => d.Id == claim.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.PipelineId, pipeline.Id), CancellationToken.None);
            LogTriggered(logger, project.Name, delivery, pipeline.Id, push.Ref);
            return TypedResults.Created(
                $"/api/pipelines/{pipeline.Id}",
                new HookDeliveryView(delivery, "push", HookOutcomes.Triggered, $"Pipeline {pipeline.Id} (#{pipeline.Number}) started for {push.Ref}.", pipeline.Id, pipeline.Number));
        }
        catch
        {
            await db.HookDeliveries.Where(d => d.Id == claim.Id).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>The answer to a delivery id seen before: its pipeline, or "still being handled".</summary>
    private static async Task<IResult> EarlierAnswerAsync(PortholeDb db, Project project, string delivery, CancellationToken ct)
    {
        var earlier = await db.HookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.ProjectId == project.Id && d.DeliveryId == delivery, ct);
        var pipeline = earlier?.PipelineId is { } id ? await db.Pipelines.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct) : null;
        if (pipeline is null)
        {
            return Problems.Conflict(HookErrorCodes.DeliveryInProgress, $"Delivery {delivery} is being handled right now; send it again in a moment.");
        }

        return TypedResults.Ok(new HookDeliveryView(
            delivery, "push", HookOutcomes.Triggered, $"Delivery {delivery} was received before: it started pipeline {pipeline.Id} (#{pipeline.Number}).", pipeline.Id, pipeline.Number));
    }

    /// <summary>The body, or null when it is over <see cref="MaxBodyBytes"/> (then read no further than that).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext http)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "A GitHub webhook delivery for project {Project} did not verify; it was refused")]
    private static partial void LogUnverified(ILogger logger, string project);

    [LoggerMessage(Level = LogLevel.Information, Message = "GitHub delivery {Delivery} for project {Project} started pipeline {PipelineId} for {Ref}")]
    private static partial void LogTriggered(ILogger logger, string project, string delivery, long pipelineId, string @ref);

    [LoggerMessage(Level = LogLevel.Information, Message = "GitHub delivery {Delivery} for project {Project} started no pipeline: {Code}")]
    private static partial void LogRefused(ILogger logger, string project, string delivery, string code);
}

/// <summary>The answer to a trigger that made no pipeline: ProblemDetails with its code, and a config's errors listed with their places.</summary>
public static class TriggerProblems
{
    /// <param name="status">The status for every refusal but a ref not found (404).</param>
    public static ProblemHttpResult Of(TriggerRefusal refusal, int status)
    {
        var extensions = refusal.Errors is { } errors
            ? new Dictionary<string, object?> { ["errors"] = errors.Select(e => new { file = e.File, line = e.Line, column = e.Column, message = e.Message, feature = e.Feature }).ToList() }
            : null;
        return Problems.Create(refusal.Code == ErrorCodes.RefNotFound ? StatusCodes.Status404NotFound : status, refusal.Code, refusal.Detail, extensions);
    }
}
