using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Runners;
using Prometheus;

namespace Porthole.Server.Monitoring;

/// <summary>
/// The server's own Prometheus metrics, in a registry of this server's (so two servers in one process never mix their
/// figures). Timings and byte counts are observed where they happen; the gauges are read from the database at each scrape.
/// </summary>
public sealed partial class PortholeMetrics
{
    /// <summary>The <c>runner</c> label of the nodes the built-in runner holds, whatever this process's runner is called.</summary>
    public const string BuiltInRunnerLabel = "builtin";

    private static readonly double[] WaitBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
    private static readonly double[] CallBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly IDbContextFactory<PortholeDb> _dbFactory;
    private readonly ILogger<PortholeMetrics> _logger;
    private readonly Gauge _queued;
    private readonly Gauge _running;
    private readonly Gauge _sshSessions;
    private readonly Histogram _queueWait;
    private readonly Histogram _lease;
    private readonly Histogram _heartbeat;
    private readonly Counter _logBytes;
    private readonly HashSet<string> _runnersSeen = [BuiltInRunnerLabel];

    public PortholeMetrics(IDbContextFactory<PortholeDb> dbFactory, ILogger<PortholeMetrics> logger)
    {
        _dbFactory = dbFactory;
        _logger = logger;
        Registry = Metrics.NewCustomRegistry();
        Factory = Metrics.WithCustomRegistry(Registry);
        _queued = Factory.CreateGauge("porthole_queue_nodes", "Nodes queued for a runner, waiting to be leased.");
        _running = Factory.CreateGauge("porthole_nodes_running", "Nodes running, by the runner that leased them.", ["runner"]);
        _sshSessions = Factory.CreateGauge("porthole_ssh_sessions_open", "SSH sessions open on running nodes (terminal and ssh clients alike).");
        _queueWait = Factory.CreateHistogram(
            "porthole_queue_wait_seconds", "Seconds a node waited from queued to leased by a runner.", new HistogramConfiguration { Buckets = WaitBuckets });
        _lease = Factory.CreateHistogram(
            "porthole_lease_duration_seconds",
            "Seconds the server took to hand a node to a runner asking for work (the lease's own work, not the long poll's idle wait).",
            new HistogramConfiguration { Buckets = CallBuckets });
        _heartbeat = Factory.CreateHistogram(
            "porthole_heartbeat_duration_seconds", "Seconds the server took to answer a runner's heartbeat for a node.", new HistogramConfiguration { Buckets = CallBuckets });
        _logBytes = Factory.CreateCounter("porthole_log_ingested_bytes_total", "Bytes of job logs stored (retried bytes already stored are not counted again).");
        _running.WithLabels(BuiltInRunnerLabel).Set(0);
        Registry.AddBeforeCollectCallback(ReadGaugesAsync);
    }

    /// <summary>The registry <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Makes metrics in <see cref="Registry"/> (the HTTP request metrics are made with it).</summary>
    public IMetricFactory Factory { get; }

    /// <summary>A node was leased after waiting <paramref name="wait"/> in the queue.</summary>
    public void NodeLeased(TimeSpan wait) => _queueWait.Observe(Math.Max(0, wait.TotalSeconds));

    /// <summary>A lease call handed a node after <paramref name="took"/> of work.</summary>
    public void LeaseAnswered(TimeSpan took) => _lease.Observe(took.TotalSeconds);

    /// <summary>A heartbeat was answered after <paramref name="took"/>.</summary>
    public void HeartbeatAnswered(TimeSpan took) => _heartbeat.Observe(took.TotalSeconds);

    /// <summary><paramref name="bytes"/> new bytes were stored in a node's log.</summary>
    public void LogBytesStored(long bytes)
    {
        if (bytes > 0)
        {
            _logBytes.Inc(bytes);
        }
    }

    /// <summary>The label a runner's nodes are counted under: <see cref="BuiltInRunnerLabel"/> for any built-in runner.</summary>
    public static string RunnerLabel(string? runnerName) =>
        runnerName is null || runnerName.StartsWith(LeaseSweeper.BuiltInRunnerPrefix, StringComparison.Ordinal) ? BuiltInRunnerLabel : runnerName;

    private async Task ReadGaugesAsync(CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await using var db = await _dbFactory.CreateDbContextAsync(timeout.Token);
            var queued = await db.Nodes.CountAsync(n => n.Status == Status.Queued, timeout.Token);
            var running = await db.Nodes.Where(n => n.Status == Status.Running)
                .GroupBy(n => n.RunnerName)
                .Select(g => new { Runner = g.Key, Count = g.Count() })
                .ToListAsync(timeout.Token);
            var sessions = await (from s in db.SshSessions
                                  join n in db.Nodes on s.NodeId equals n.Id
                                  where s.EndedAt == null && n.Status == Status.Running
                                  select s.Id).CountAsync(timeout.Token);

            _queued.Set(queued);
            _sshSessions.Set(sessions);
            var counts = running.GroupBy(r => RunnerLabel(r.Runner)).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
            lock (_runnersSeen)
            {
                _runnersSeen.UnionWith(counts.Keys);
                foreach (var runner in _runnersSeen)
                {
                    _running.WithLabels(runner).Set(counts.GetValueOrDefault(runner));
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The gauges keep their last values; /readyz says whether the database answers.
            LogGaugesUnread(_logger, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The metrics read from the database were not updated: {Error}")]
    private static partial void LogGaugesUnread(ILogger logger, string error);
}
