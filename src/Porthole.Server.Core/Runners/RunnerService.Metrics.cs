using Porthole.Contracts.Runners;

namespace Porthole.Server.Runners;

/// <summary>The runner protocol's calls that are timed for <c>/metrics</c> (<see cref="Monitoring.PortholeMetrics"/>).</summary>
public sealed partial class RunnerService
{
    public async Task<HeartbeatReply> HeartbeatAsync(long nodeId, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            return await AnswerHeartbeatAsync(nodeId, cancellationToken);
        }
        finally
        {
            metrics.HeartbeatAnswered(time.GetElapsedTime(started));
        }
    }
}
