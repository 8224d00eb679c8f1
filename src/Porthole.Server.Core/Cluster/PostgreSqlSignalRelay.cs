using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Porthole.Server.Data;
using Porthole.Server.Logs;
using Porthole.Server.Runners;

namespace Porthole.Server.Cluster;

/// <summary>
/// On PostgreSQL, carries the wake-ups between the servers of one database (issue 14): sends this server's
/// (<see cref="SignalOutbox"/>) with <c>pg_notify</c>, and <c>LISTEN</c>s on a connection of its own for the others',
/// which wake this server's waiting runners (<see cref="WorkSignal"/>) and live-log readers (<see cref="LogStore"/>).
/// When the connection is lost it connects again, and wakes every waiter here, since a wake-up may have been missed.
/// </summary>
public sealed partial class PostgreSqlSignalRelay(
    ServerDatabase database,
    SignalOutbox outbox,
    WorkSignal work,
    LogStore logs,
    TimeProvider time,
    ILogger<PostgreSqlSignalRelay> logger) : BackgroundService
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        database.PostgreSqlConnection is { } connection && outbox.Enabled
            ? Task.WhenAll(ListenAsync(connection, stoppingToken), SendAsync(connection, stoppingToken))
            : Task.CompletedTask;

    private async Task ListenAsync(string connectionString, CancellationToken ct)
    {
        var failing = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ListenerConnection(connectionString));
                await connection.OpenAsync(ct);
                connection.Notification += (_, e) => Deliver(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {SignalOutbox.WorkChannel}; LISTEN {SignalOutbox.LogChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                if (failing)
                {
                    failing = false;
                    LogListening(logger);
                }

                // What was sent while this server did not listen is lost: every waiter here looks again.
                work.PulseHere();
                logs.WakeAllHere();
                while (true)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                if (!failing)
                {
                    failing = true;
                    LogListenFailed(logger, e.GetType().Name, e.Message);
                }

                await Task.Delay(Retry, time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task SendAsync(string connectionString, CancellationToken ct)
    {
        var failing = false;
        var pending = new HashSet<SignalOutbox.Signal>();
        try
        {
            while (await outbox.Pending.WaitToReadAsync(ct))
            {
                // Everything queued by now goes in one round trip, each wake-up once.
                while (outbox.Pending.TryRead(out var signal))
                {
                    pending.Add(signal);
                }

                try
                {
                    await using var connection = new NpgsqlConnection(connectionString);
                    await connection.OpenAsync(ct);
                    await using var batch = new NpgsqlBatch(connection);
                    foreach (var signal in pending)
                    {
                        var command = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
                        command.Parameters.Add(new NpgsqlParameter { Value = signal.Channel });
                        command.Parameters.Add(new NpgsqlParameter { Value = signal.Payload });
                        batch.BatchCommands.Add(command);
                    }

                    await batch.ExecuteNonQueryAsync(ct);
                    failing = false;
                }
                catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
                {
                    // Dropped: the other servers' waiters look again on their own within a second.
                    if (!failing)
                    {
                        failing = true;
                        LogSendFailed(logger, e.GetType().Name, e.Message);
                    }

                    await Task.Delay(Retry, time, ct);
                }

                pending.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Deliver(string channel, string payload)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || payload.AsSpan(0, colon).SequenceEqual(outbox.Instance))
        {
            return;
        }

        var subject = payload.AsSpan(colon + 1);
        if (channel == SignalOutbox.WorkChannel)
        {
            work.PulseHere();
        }
        else if (channel == SignalOutbox.LogChannel && long.TryParse(subject, System.Globalization.CultureInfo.InvariantCulture, out var nodeId))
        {
            logs.WakeHere(nodeId);
        }
    }

    /// <summary>The listener's connection: out of the pool (it lives as long as the server), kept alive so that a lost one is noticed.</summary>
    private static string ListenerConnection(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 15 }.ConnectionString;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot listen for the other servers' wake-ups on the database ({Kind}: {Reason}); trying again every second")]
    private static partial void LogListenFailed(ILogger logger, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for the other servers' wake-ups on the database again")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot send wake-ups to the other servers on the database ({Kind}: {Reason}); they will look again on their own")]
    private static partial void LogSendFailed(ILogger logger, string kind, string reason);
}
