using Porthole.Execution.Logging;

namespace Porthole.Ssh.Endpoints;

/// <summary>The Wait for SSH rules (R-SSH-8), on the injected clock so that tests run them in milliseconds.</summary>
internal static class WaitRules
{
    /// <summary>
    /// Waits until the node may end, and says why: no first connection within <paramref name="firstConnectionTimeout"/>
    /// of <paramref name="start"/>; the last session closed (if anyone connected, during the steps or after them);
    /// <paramref name="maxSessionTime"/> after the first connection; or the job was canceled.
    /// </summary>
    public static async Task<string> WaitForEndAsync(
        SshConnections connections,
        TimeProvider timeProvider,
        DateTimeOffset start,
        TimeSpan firstConnectionTimeout,
        TimeSpan maxSessionTime,
        CancellationToken canceled)
    {
        while (true)
        {
            if (canceled.IsCancellationRequested)
            {
                return "The job was canceled; closing SSH sessions.";
            }

            var changed = connections.Changed;
            var first = connections.FirstConnectionAt;
            var open = connections.OpenCount;
            var now = timeProvider.GetUtcNow();
            DateTimeOffset deadline;
            if (first is null)
            {
                deadline = start + firstConnectionTimeout;
                if (now >= deadline)
                {
                    return $"No SSH session within {DurationText.Format(firstConnectionTimeout)}; the node ends.";
                }
            }
            else if (open == 0)
            {
                return "The last SSH session closed; the node ends.";
            }
            else
            {
                deadline = first.Value + maxSessionTime;
                if (now >= deadline)
                {
                    return $"The node reached {DurationText.Format(maxSessionTime)} since the first SSH connection; closing sessions.";
                }
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(canceled);
            var timer = Task.Delay(deadline - now, timeProvider, wake.Token);
            await Task.WhenAny(changed, timer);
            await wake.CancelAsync();
        }
    }
}
