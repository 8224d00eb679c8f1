using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution;
using Porthole.Execution.Sections;
using Porthole.Ssh.Endpoints;

namespace Porthole.Runner;

/// <summary>
/// Runs one leased node: a fresh workspace, the log spool, a heartbeat that also hears of a cancel, the
/// node runner, then the last log bytes and the result to the server, and the workspace removed.
/// </summary>
public sealed partial class NodeSession(
    IRunnerProtocol server,
    NodeRunner nodeRunner,
    LeftoverNodes leftovers,
    RunnerIdentity identity,
    IOptions<RunnerOptions> options,
    IOptions<RunnerSshOptions> sshOptions,
    ImageTable images,
    TimeProvider time,
    ILogger<NodeSession> logger)
{
    public async Task RunAsync(NodeAssignment assignment, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        // A Travis job's language version and services run in the images the project's and the runner's tables give.
        assignment = assignment with { Job = assignment.Job with { Executor = images.Apply(assignment.Job.Executor, assignment.ProjectImages) } };
        var settings = options.Value;
        var workspace = Path.GetFullPath(Path.Combine(settings.WorkspaceDirectory, assignment.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        await using var spool = new LogSpool(assignment.NodeId, Path.GetFullPath(settings.SpoolDirectory), server, settings.LogFlushInterval, time, logger);
        await using var ssh = assignment.Ssh is null ? null : new NodeSshEndpoint(assignment, SshSettings(), new RunnerSshSink(server, assignment.NodeId, time), time);
        var sections = ssh is null
            ? NodeSections.None
            : assignment.Debug is { HasBreakpoint: true } debug
                ? new NodeSections([], []) { Break = ssh.Debug, BreakBefore = debug.BreakBefore, BreakOnFailure = debug.BreakOnFailure } // R-BEY-4
            : assignment.Debug is not null
                ? new NodeSections([ssh.Debug], []) // a debug build (R-DBG-2): the session instead of the steps
                : assignment.Ssh!.HoldOnFailure
                    ? new NodeSections([], [ssh.EnableSsh, ssh.WaitForSsh]) { OnFailureOnly = true } // held on failure (R-BEY-1)
                    : new NodeSections([ssh.EnableSsh], [ssh.WaitForSsh]);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(assignment.NodeId, cancel, ssh, heartbeatStop.Token);

        NodeCompletion completion;
        try
        {
            Workspaces.Delete(workspace);
            Directory.CreateDirectory(workspace);
            var tag = leftovers.Record(assignment.NodeId, identity.Name, workspace);
            completion = await nodeRunner.RunAsync(
                assignment,
                new NodeRunOptions(workspace, settings.DefaultNoOutputTimeout)
                {
                    Tag = tag,
                    Server = server,
                    SpoolDirectory = Path.GetFullPath(settings.SpoolDirectory),
                },
                spool,
                sections,
                cancel.Token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            LogNodeFailed(logger, assignment.NodeId, e.Message);
            completion = new NodeCompletion(NodeResult.InfrastructureFail, $"the runner could not run the node: {e.Message}");
        }

        if (stopping.IsCancellationRequested)
        {
            const string reason = "the runner stopped while the node ran";
            completion = new NodeCompletion(NodeResult.InfrastructureFail, reason);
            await spool.WriteLogAsync(
                System.Text.Encoding.UTF8.GetBytes($"\r\n\u001b[31mPorthole: {reason}; the node ended as infrastructure_fail.\u001b[0m\r\n"),
                CancellationToken.None);
        }

        await heartbeatStop.CancelAsync();
        await heartbeat;
        using (var drainTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), time))
        {
            try
            {
                await spool.DrainAsync(drainTimeout.Token);
            }
            catch (OperationCanceledException)
            {
                LogNodeFailed(logger, assignment.NodeId, "the last log bytes could not be sent within 30 s");
            }
        }

        await server.CompleteNodeAsync(assignment.NodeId, completion, CancellationToken.None);
        Workspaces.Delete(workspace);
        leftovers.Forget(assignment.NodeId);
    }

    private SshOptions SshSettings()
    {
        var ssh = sshOptions.Value;
        return new SshOptions
        {
            AdvertisedHost = ssh.AdvertiseHost,
            ListenAddresses = ssh.ListenAddresses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            PortRangeStart = ssh.PortRangeStart,
            PortRangeEnd = ssh.PortRangeEnd,
            HostKeyPath = Path.GetFullPath(ssh.HostKeyPath),
        };
    }

    /// <summary>
    /// Extends the lease; hears a cancel; for an SSH node, hands its endpoint the keys accepted now and whether open access
    /// still is (R-SSH-11), and the connections an admin ended (R-DBG-7). The next heartbeat goes only once the endpoint has
    /// taken them. Failures in a row (the server or its database away) are logged at the first and when heartbeats go
    /// through again, not at every tick.
    /// </summary>
    private async Task HeartbeatAsync(long nodeId, CancellationTokenSource cancel, NodeSshEndpoint? ssh, CancellationToken stop)
    {
        IReadOnlyList<SshGrant>? lastKeys = null;
        bool? lastOpenAccess = null;
        bool? lastForwarding = null;
        var failures = 0;
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    var reply = await server.HeartbeatAsync(nodeId, stop);
                    if (failures > 0)
                    {
                        LogHeartbeatBack(logger, nodeId, failures);
                        failures = 0;
                    }

                    if (reply.Canceled && !cancel.IsCancellationRequested)
                    {
                        await cancel.CancelAsync();
                    }

                    if (ssh is not null && reply.SshKeys is { } keys && (!SameKeys(lastKeys, keys) || reply.OpenAccess != lastOpenAccess || reply.PortForwarding != lastForwarding))
                    {
                        await ssh.UpdateKeysAsync(keys, reply.OpenAccess, reply.PortForwarding);
                        lastKeys = keys;
                        lastOpenAccess = reply.OpenAccess;
                        lastForwarding = reply.PortForwarding;
                    }

                    if (ssh is not null && reply.EndSessions is { Count: > 0 } ended)
                    {
                        await ssh.EndSessionsAsync(ended);
                    }

                    // A writer extended or released the node through the API or the web (R-BEY-4).
                    if (ssh is not null && reply.Extend is { } extend)
                    {
                        LogExtended(logger, nodeId, ssh.Extend(extend));
                    }

                    if (ssh is not null && reply.Release)
                    {
                        ssh.Release("a writer, through Porthole's API");
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (failures++ == 0)
                    {
                        LogHeartbeatFailed(logger, nodeId, e.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The same keys for the same users with the same rights: a key made read-only (or read-write again) is a change.</summary>
    private static bool SameKeys(IReadOnlyList<SshGrant>? before, IReadOnlyList<SshGrant> now) =>
        before is not null && before.Select(Identity).SequenceEqual(now.Select(Identity));

    private static (string Fingerprint, long UserId, bool ReadOnly, bool Web) Identity(SshGrant key) => (key.Fingerprint, key.UserId, key.ReadOnly, key.Web);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId}: {Answer}")]
    private static partial void LogExtended(ILogger logger, long nodeId, string answer);

    [LoggerMessage(Level = LogLevel.Error, Message = "Node {NodeId}: {Reason}")]
    private static partial void LogNodeFailed(ILogger logger, long nodeId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat of node {NodeId} failed, trying again at each interval: {Reason}")]
    private static partial void LogHeartbeatFailed(ILogger logger, long nodeId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Heartbeats of node {NodeId} go through again after {Failures} failed")]
    private static partial void LogHeartbeatBack(ILogger logger, long nodeId, int failures);
}
