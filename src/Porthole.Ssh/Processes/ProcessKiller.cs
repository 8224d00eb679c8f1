using Porthole.Execution.Processes;

namespace Porthole.Ssh.Processes;

/// <summary>
/// Ends processes by id with SIGKILL, at once: revoking access and ending a node close sessions "at once" (R-SSH-11),
/// and an SSH session has nothing to save. Repeats until a fresh look at the process table finds none of them, so that
/// a child forked meanwhile is caught too. Never signals the runner itself.
/// </summary>
internal static class ProcessKiller
{
    private const int MaximumRounds = 200;

    /// <summary>Kills what <paramref name="find"/> returns, again and again, until it returns nothing.</summary>
    public static async Task KillAsync(Func<ProcessTable, IEnumerable<int>> find)
    {
        for (var round = 0; round < MaximumRounds; round++)
        {
            var pids = find(ProcessTable.Read()).Where(ProcessSignals.MaySignal).ToList();
            if (pids.Count == 0)
            {
                return;
            }

            foreach (var pid in pids)
            {
                _ = ProcessSignals.Send(pid, ProcessSignals.SigKill);
            }

            // Let the kernel deliver the signals before the next look; no timer, so a fake clock cannot stall this.
            await Task.Yield();
        }
    }
}
