using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Porthole.Server.Notifications;

/// <summary>
/// The notifications waiting to be sent, off the runner's calls: posting never waits. A node's notices go to one lane
/// (its id modulo <see cref="Lanes"/>), so that they are sent in order; each lane is drained by <see cref="NotificationSender"/>.
/// A lane that is full (its receiver down for long) drops what comes, logged.
/// </summary>
public sealed partial class NotificationQueue(ILogger<NotificationQueue> logger)
{
    public const int Lanes = 4;

    private const int LaneCapacity = 2000;

    private readonly Channel<NodeNotice>[] _lanes = [.. Enumerable.Range(0, Lanes).Select(_ => Channel.CreateBounded<NodeNotice>(
        new BoundedChannelOptions(LaneCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true }))];

    public void Post(NodeNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (!_lanes[(int)(notice.NodeId % Lanes)].Writer.TryWrite(notice))
        {
            LogDropped(logger, notice.Event, notice.NodeId);
        }
    }

    public ChannelReader<NodeNotice> Lane(int index) => _lanes[index].Reader;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Event} of node {NodeId} dropped: too many are waiting to be sent")]
    private static partial void LogDropped(ILogger logger, string @event, long nodeId);
}
