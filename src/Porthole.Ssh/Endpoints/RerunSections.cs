using Porthole.Contracts.Runners;
using Porthole.Contracts.Ssh;
using Porthole.Execution.Executors;
using Porthole.Execution.Sections;

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// What the sections of a rerun with SSH do: Enable SSH (<see cref="EnableSshSection"/>) starts sshd and prints how to
/// connect; Wait for SSH (<see cref="WaitForSshSection"/>) keeps the node while the Wait for SSH rules say so (R-SSH-8),
/// then ends sshd and every session.
/// </summary>
internal sealed class RerunSections(
    NodeAssignment assignment,
    SshRequest request,
    EndpointState state,
    SshConnections connections,
    EndpointGrants grants,
    EndpointLifetime lifetime,
    ReportQueue reports,
    TimeProvider timeProvider)
{
    private static readonly TimeSpan DefaultFirstConnectionTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DefaultMaxSessionTime = TimeSpan.FromHours(2);

    public TimeSpan FirstConnectionTimeout { get; } =
        request.FirstConnectionTimeout > TimeSpan.Zero ? request.FirstConnectionTimeout : DefaultFirstConnectionTimeout;

    public TimeSpan MaxSessionTime { get; } = request.MaxSessionTime > TimeSpan.Zero ? request.MaxSessionTime : DefaultMaxSessionTime;

    public async Task<NodeSectionResult> EnableAsync(NodeSectionContext context, CancellationToken canceled)
    {
        try
        {
            var (running, failure) = await lifetime.StartAsync(context, debug: null, canceled);
            if (running is null)
            {
                return failure!;
            }

            await grants.ReportReadyAsync(running, canceled);
            await context.WriteAsync(DetailsText(running, context.WorkingDirectory));
            return new NodeSectionResult(StepState.Success);
        }
        catch (OperationCanceledException) when (canceled.IsCancellationRequested)
        {
            await lifetime.ShutdownAsync();
            await context.WriteAsync("The job was canceled before SSH was enabled.\n");
            return new NodeSectionResult(StepState.Canceled);
        }
        catch (Exception e) when (e is ExecutorException or InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            await lifetime.ShutdownAsync();
            await context.WriteAsync($"SSH could not be enabled on this node: {e.Message}\n");
            return new NodeSectionResult(StepState.Failed);
        }
    }

    public async Task<NodeSectionResult> WaitAsync(NodeSectionContext context, CancellationToken canceled)
    {
        if (state.Running is not { } running)
        {
            await context.WriteAsync("SSH was not enabled on this node (see Enable SSH); there is nothing to wait for.\n");
            await lifetime.ShutdownAsync();
            return new NodeSectionResult(StepState.Skipped);
        }

        var start = timeProvider.GetUtcNow();
        await context.WriteAsync(DetailsText(running, context.WorkingDirectory));
        var reason = await WaitRules.WaitForEndAsync(connections, timeProvider, start, FirstConnectionTimeout, MaxSessionTime, canceled);
        await context.WriteAsync(reason + "\n");
        await lifetime.ShutdownAsync();
        await reports.DrainAsync();
        return new NodeSectionResult(StepState.Success);
    }

    private string DetailsText(Running running, string workingDirectory) =>
        ConnectionDetailsText.Render(
            running.Info,
            running.HostKey.PublicKey.TypeLabel,
            assignment.JobId,
            assignment.NodeIndex,
            FirstConnectionTimeout,
            MaxSessionTime,
            state.Grants,
            workingDirectory);
}
