using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Porthole.Contracts.Api;
using Porthole.Data;

namespace Porthole.Server.Notifications;

/// <summary>
/// Sends what <see cref="NotificationQueue"/> holds to the projects' webhooks, one lane at a time each (so a node's
/// notices arrive in order). A delivery that fails is logged with the receiver's host only and never fails anything else.
/// </summary>
public sealed partial class NotificationSender(
    NotificationQueue queue,
    IDbContextFactory<PortholeDb> dbFactory,
    WebhookClient client,
    ILogger<NotificationSender> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, NotificationQueue.Lanes).Select(lane => DrainAsync(queue.Lane(lane), stoppingToken)));

    private async Task DrainAsync(System.Threading.Channels.ChannelReader<NodeNotice> lane, CancellationToken ct)
    {
        await foreach (var notice in lane.ReadAllAsync(ct))
        {
            try
            {
                await SendAsync(notice, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogFailed(logger, notice.Event, notice.NodeId, e.GetType().Name);
            }
        }
    }

    private async Task SendAsync(NodeNotice notice, CancellationToken ct)
    {
        (ProjectNotificationRecord Webhook, NotificationPayload Payload)? built;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            built = await NotificationPayloads.BuildAsync(db, notice, ct);
        }

        if (built is not var (webhook, payload))
        {
            return;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(payload, ApiJson.Options);
        var delivery = Guid.CreateVersion7().ToString();
        var outcome = await client.DeliverAsync(webhook.Url, webhook.Secret, notice.Event, delivery, body, ct);
        var host = NotificationUrls.HostOf(webhook.Url);
        if (outcome.Delivered)
        {
            LogDelivered(logger, notice.Event, notice.NodeId, host, delivery);
        }
        else
        {
            LogNotDelivered(logger, notice.Event, notice.NodeId, host, delivery, outcome.Tries, outcome.Detail);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Notification {Event} of node {NodeId} delivered to {Host} ({Delivery})")]
    private static partial void LogDelivered(ILogger logger, string @event, long nodeId, string host, string delivery);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Event} of node {NodeId} not delivered to {Host} ({Delivery}) after {Tries} tries: {Detail}")]
    private static partial void LogNotDelivered(ILogger logger, string @event, long nodeId, string host, string delivery, int tries, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Event} of node {NodeId} not sent: {Error}")]
    private static partial void LogFailed(ILogger logger, string @event, long nodeId, string error);
}
