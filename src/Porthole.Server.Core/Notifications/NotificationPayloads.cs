using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Data;

namespace Porthole.Server.Notifications;

/// <summary>The body of a notice for its project's webhook, as the node stands when it is sent.</summary>
public static class NotificationPayloads
{
    /// <summary>
    /// The webhook and the body for <paramref name="notice"/>; null when there is nothing to send: the node is gone or has
    /// no SSH (neither an SSH or debug attempt nor held on failure), or its project has no webhook.
    /// </summary>
    public static async Task<(ProjectNotificationRecord Webhook, NotificationPayload Payload)?> BuildAsync(
        PortholeDb db, NodeNotice notice, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(notice);
        var node = await db.Nodes.AsNoTracking().SingleOrDefaultAsync(n => n.Id == notice.NodeId, ct);
        if (node is null)
        {
            return null;
        }

        var attempt = await db.Attempts.AsNoTracking().SingleAsync(a => a.Id == node.AttemptId, ct);
        if (!attempt.Ssh && node.HeldAt is null)
        {
            return null;
        }

        var found = await (from j in db.Jobs
                           join p in db.Pipelines on j.PipelineId equals p.Id
                           join project in db.Projects on p.ProjectId equals project.Id
                           join w in db.ProjectNotifications on project.Id equals w.ProjectId
                           where j.Id == node.JobId
                           select new { Job = j.Name, Project = project.Name, Webhook = w }).AsNoTracking().SingleOrDefaultAsync(ct);
        if (found is null)
        {
            return null;
        }

        var payload = new NotificationPayload(
            notice.Event, found.Project, node.JobId, found.Job, attempt.Number, node.Index, JobPage(found.Webhook.ServerUrl, node.JobId, attempt.Number), notice.At)
        {
            SshCommand = notice.Event == NotificationEvents.Ready && node.SshPort is { } port ? $"ssh -p {port} {node.SshUser}@{node.SshHost}" : null,
            EndsAt = notice.Event == NotificationEvents.Ended ? null : notice.EndsAt ?? node.SshEndsAt,
            Status = notice.Event == NotificationEvents.Ended ? node.Status : null,
        };
        return (found.Webhook, payload);
    }

    /// <summary>The job page of the attempt (the web's <c>/jobs/{id}?attempt={n}</c>) on the server the webhook was set on.</summary>
    public static string JobPage(string serverUrl, long jobId, int attempt)
    {
        ArgumentNullException.ThrowIfNull(serverUrl);
        return string.Create(CultureInfo.InvariantCulture, $"{serverUrl.TrimEnd('/')}/jobs/{jobId}?attempt={attempt}");
    }
}
