using System.Globalization;
using System.Threading.Channels;
using Porthole.Server.Data;

namespace Porthole.Server.Cluster;

/// <summary>
/// The wake-ups this server owes the other servers on its database (issue 14): work queued, which wakes runners waiting
/// in a lease there, and a node's log appended or its node ended, which wakes the live-log readers there.
/// <see cref="PostgreSqlSignalRelay"/> sends them as <c>NOTIFY</c> and delivers the others' here. On SQLite, where this
/// server is the only one, nothing is queued. A wake-up is a hint: a reader that misses one still looks again within
/// a second, so one lost while the database is away costs latency, never data.
/// </summary>
public sealed class SignalOutbox(ServerDatabase database)
{
    public const string WorkChannel = "porthole_work";

    public const string LogChannel = "porthole_log";

    private readonly Channel<Signal> _queue = Channel.CreateBounded<Signal>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });

    /// <summary>This process among the servers: its own notifications come back to it, and are known by this.</summary>
    public string Instance { get; } = Guid.NewGuid().ToString("N")[..16];

    public bool Enabled { get; } = !database.IsSqlite;

    public void WorkQueued() => Queue(WorkChannel, "");

    public void LogChanged(long nodeId) => Queue(LogChannel, nodeId.ToString(CultureInfo.InvariantCulture));

    internal ChannelReader<Signal> Pending => _queue.Reader;

    private void Queue(string channel, string subject)
    {
        if (Enabled)
        {
            _queue.Writer.TryWrite(new Signal(channel, $"{Instance}:{subject}"));
        }
    }

    /// <summary>One notification: its channel and its payload (<c>instance:subject</c>).</summary>
    internal readonly record struct Signal(string Channel, string Payload);
}
