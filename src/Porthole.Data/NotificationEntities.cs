namespace Porthole.Data;

/// <summary>
/// A project's outgoing notification webhook (R-BEY-4): the server POSTs a node's SSH events (ready, ending soon, ended)
/// to <see cref="Url"/>, each body signed with <see cref="Secret"/> (HMAC-SHA256, <c>X-Porthole-Signature-256</c>). The
/// secret is the server's own, kept as is (an HMAC needs the key itself), shown only in the answer that made it, never logged.
/// </summary>
public sealed class ProjectNotificationRecord
{
    public long ProjectId { get; set; }
    public required string Url { get; set; }
    public required string Secret { get; set; }

    /// <summary>The server's address as the admin reached it when setting the webhook: the job pages' links are made from it.</summary>
    public required string ServerUrl { get; set; }

    public long CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
