using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Server.Data;
using Porthole.Server.Notifications;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Projects;

/// <summary>
/// <c>/api/projects/{name}/notifications</c>, a project's outgoing notification webhook (R-BEY-4), admins only (its
/// address may carry a token of the receiver's): GET shows the address and whether a secret exists; PUT
/// <c>{"url": "https://…"}</c> sets the address and makes the secret when there is none (or with <c>"rotate": true</c>),
/// the only answer that ever shows it; DELETE removes the webhook.
/// </summary>
public static class NotificationsApi
{
    public static RouteGroupBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/projects/{name}/notifications").RequireAuthorization().WithTags("Projects");
        group.MapGet("/", GetAsync);
        group.MapPut("/", SetAsync);
        group.MapDelete("/", RemoveAsync);
        return group;
    }

    private static async Task<Results<Ok<NotificationWebhookView>, ProblemHttpResult>> GetAsync(
        string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Admin, "see its notification webhook", ct);
        if (project is null)
        {
            return problem!;
        }

        var webhook = await db.ProjectNotifications.AsNoTracking().SingleOrDefaultAsync(w => w.ProjectId == project.Id, ct);
        return TypedResults.Ok(await ViewAsync(db, project, webhook, secret: null, ct));
    }

    private static async Task<Results<Ok<NotificationWebhookView>, Created<NotificationWebhookView>, ProblemHttpResult>> SetAsync(
        string name, SetNotificationWebhookRequest? request, HttpContext http, PortholeDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (project, problem) = await Lookups.ProjectAsync(db, name, user, Roles.Admin, "set its notification webhook", ct);
        if (project is null)
        {
            return problem!;
        }

        if (NotificationUrls.Problem(request?.Url) is { } invalid)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, invalid);
        }

        var url = request!.Url!;
        var webhook = await db.ProjectNotifications.SingleOrDefaultAsync(w => w.ProjectId == project.Id, ct);
        var created = webhook is null;
        string? secret = null;
        if (webhook is null || request.Rotate == true)
        {
            secret = HookSignature.NewSecret();
            webhook ??= db.ProjectNotifications.Add(new ProjectNotificationRecord { ProjectId = project.Id, Url = url, Secret = secret, ServerUrl = "" }).Entity;
            webhook.Secret = secret;
            webhook.CreatedBy = user.Id;
            webhook.CreatedAt = time.GetUtcNow();
        }

        // The job links of the calls use the server's address as the admin reached it now.
        var serverUrl = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        webhook.Url = url;
        webhook.ServerUrl = serverUrl;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (ServerDatabase.IsConstraintViolation(e))
        {
            // Another request made it at the same moment: that one's secret stands (only its answer shows it); this address is set.
            db.ChangeTracker.Clear();
            webhook = await db.ProjectNotifications.SingleAsync(w => w.ProjectId == project.Id, ct);
            webhook.Url = url;
            webhook.ServerUrl = serverUrl;
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(await ViewAsync(db, project, webhook, secret: null, ct));
        }

        var view = await ViewAsync(db, project, webhook, secret, ct);
        return created ? TypedResults.Created(http.Request.Path, view) : TypedResults.Ok(view);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Admin, "remove its notification webhook", ct);
        if (project is null)
        {
            return problem!;
        }

        var removed = await db.ProjectNotifications.Where(w => w.ProjectId == project.Id).ExecuteDeleteAsync(ct);
        return removed == 0
            ? Problems.NotFound(ErrorCodes.NotFound, $"Project {project.Name} has no notification webhook; set one with PUT {{\"url\": \"https://…\"}}.")
            : TypedResults.NoContent();
    }

    private static async Task<NotificationWebhookView> ViewAsync(
        PortholeDb db, Project project, ProjectNotificationRecord? webhook, string? secret, CancellationToken ct)
    {
        var by = webhook is null ? null : await db.Users.Where(u => u.Id == webhook.CreatedBy).Select(u => u.Name).SingleOrDefaultAsync(ct);
        return new NotificationWebhookView(project.Name, webhook?.Url, webhook is not null, webhook?.CreatedAt, by, secret);
    }
}
