using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Runners;

namespace Porthole.Runner;

/// <summary>
/// The agent loop: lease a node (a long poll), run it beside the others up to the concurrency limit, repeat.
/// The built-in runner is this loop in the server's process, speaking <see cref="IRunnerProtocol"/> in-process.
/// A lease that fails (the server or its database away) is asked again after a second, or after the server's
/// <c>Retry-After</c>; the first failure in a row is logged, and the return, so an outage is two lines, not one a second.
/// </summary>
public sealed partial class BuiltInRunner(
    IRunnerProtocol server,
    NodeSession session,
    IOptions<RunnerOptions> options,
    RunnerIdentity identity,
    LeftoverNodes leftovers,
    RunnerIsolation isolation,
    TimeProvider time,
    ILogger<BuiltInRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await leftovers.CleanAsync(stoppingToken);

        // Archives a crash left on their way up or down (the job-data steps' spool files) are of no node now.
        Workspaces.Delete(Path.Combine(Path.GetFullPath(options.Value.SpoolDirectory), "blobs"));
        await isolation.StartAsync(stoppingToken);
        using var slots = new SemaphoreSlim(options.Value.Concurrency);
        var running = new List<Task>();
        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                NodeAssignment? assignment;
                try
                {
                    assignment = await server.LeaseAsync(identity.Name, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    slots.Release();
                    if (failures++ == 0)
                    {
                        LogLeaseFailed(logger, e.Message);
                    }

                    await Task.Delay(RetryAfter(e), time, stoppingToken);
                    continue;
                }

                if (failures > 0)
                {
                    LogLeasingAgain(logger, failures);
                    failures = 0;
                }

                if (assignment is null)
                {
                    slots.Release();
                    continue;
                }

                LogLeased(logger, assignment.NodeId, assignment.JobId, assignment.Job.Name, assignment.NodeIndex);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(RunOneAsync(assignment, slots, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(running);
    }

    private async Task RunOneAsync(NodeAssignment assignment, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await session.RunAsync(assignment, stoppingToken);
        }
        catch (Exception e)
        {
            LogNodeCrashed(logger, assignment.NodeId, e.Message);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>How long to wait before leasing again after <paramref name="failure"/>: what the server asked, at most <see cref="Remote.RetryDelays.MaxRetryAfter"/>; else a second.</summary>
    private static TimeSpan RetryAfter(Exception failure) =>
        failure is Remote.ServerUnavailableException { RetryAfter: { } asked } && asked > TimeSpan.Zero
            ? TimeSpan.FromTicks(Math.Min(asked.Ticks, Remote.RetryDelays.MaxRetryAfter.Ticks))
            : TimeSpan.FromSeconds(1);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leased node {NodeId} (job {JobId} {JobName}, node {NodeIndex})")]
    private static partial void LogLeased(ILogger logger, long nodeId, long jobId, string jobName, int nodeIndex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leasing failed, retrying until it works: {Reason}")]
    private static partial void LogLeaseFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leasing works again after {Failures} failed tries")]
    private static partial void LogLeasingAgain(ILogger logger, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Node {NodeId} ended with an error in the runner: {Reason}")]
    private static partial void LogNodeCrashed(ILogger logger, long nodeId, string reason);
}

/// <summary>The name a runner leases with.</summary>
public sealed record RunnerIdentity(string Name);
