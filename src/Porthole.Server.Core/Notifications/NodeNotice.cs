namespace Porthole.Server.Notifications;

/// <summary>
/// Something a node's project webhook is to hear of (<see cref="Contracts.Api.NotificationEvents"/>), at <see cref="At"/>;
/// <see cref="EndsAt"/> is the end an <c>ending_soon</c> announces. What else the body says is read when it is sent.
/// </summary>
public sealed record NodeNotice(long NodeId, string Event, DateTimeOffset At, DateTimeOffset? EndsAt = null);
