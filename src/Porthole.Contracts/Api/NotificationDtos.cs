namespace Porthole.Contracts.Api;

// Wire shapes of a project's outgoing notification webhook (R-BEY-4): its setting (/api/projects/{name}/notifications)
// and the body the server POSTs to it.

/// <summary>
/// A project's notification webhook: where the server posts (<see cref="Url"/>, null when there is none) and whether its
/// secret exists. <see cref="Secret"/> is set only in the answer that made it: the server never shows it again.
/// </summary>
public sealed record NotificationWebhookView(
    string Project,
    string? Url,
    bool HasSecret,
    DateTimeOffset? CreatedAt,
    string? CreatedBy,
    string? Secret = null);

/// <summary>
/// Set the webhook's address (absolute http or https, no user info, at most 2,048 characters). A secret is made when the
/// project has none, or with <see cref="Rotate"/> a new one replaces it; otherwise the secret stays.
/// </summary>
public sealed record SetNotificationWebhookRequest(string? Url, bool? Rotate = null);

/// <summary>
/// The JSON body of one notification. <see cref="SshCommand"/> is given for <c>ready</c>, <see cref="EndsAt"/> for
/// <c>ending_soon</c> (and for <c>ready</c> when the node has reported its wait by then), <see cref="Status"/> for
/// <c>ended</c>; <see cref="Url"/> is the job's page.
/// </summary>
public sealed record NotificationPayload(
    string Event,
    string Project,
    long JobId,
    string JobName,
    int Attempt,
    int Node,
    string Url,
    DateTimeOffset At)
{
    public string? SshCommand { get; init; }
    public DateTimeOffset? EndsAt { get; init; }
    public string? Status { get; init; }
}

/// <summary>The values of <see cref="NotificationPayload.Event"/> (also the <c>X-Porthole-Event</c> header).</summary>
public static class NotificationEvents
{
    /// <summary>The node's sshd is up: the node may be entered (<c>ssh_command</c>).</summary>
    public const string Ready = "ready";

    /// <summary>The node's SSH wait ends in 5 minutes or less (<c>ends_at</c>), unless extended or connected to.</summary>
    public const string EndingSoon = "ending_soon";

    /// <summary>The node ended (<c>status</c>).</summary>
    public const string Ended = "ended";
}

/// <summary>The headers of a notification: the event, a unique id per delivery (the same on its retries), and the body's signature.</summary>
public static class NotificationHeaders
{
    public const string Event = "X-Porthole-Event";
    public const string Delivery = "X-Porthole-Delivery";

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of the raw body, keyed with the webhook's secret (as GitHub's <c>X-Hub-Signature-256</c>).</summary>
    public const string Signature = "X-Porthole-Signature-256";
}
