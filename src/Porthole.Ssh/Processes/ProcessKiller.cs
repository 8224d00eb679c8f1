using Porthole.Execution.Processes;

namespace Porthole.Ssh.Processes;

/// <summary>
/// Ends processes by id with SIGKILL, at once: revoking access and ending a node close sessions "at once" (R-SSH-11),
/// and an SSH session has nothing to save. Repeats until a fresh look at the process table finds none of them, so that
/// a child forked meanwhile is caught too, and one the kernel is slow to end is waited for. Never signals the runner itself.
/// </summary>
internal static class ProcessKiller
{
    /// <summary>Rounds that only yield: a killed process is usually gone by the next look.</summary>
    private const int QuickRounds = 50;

    /// <summary>Then rounds 10 ms apart on the real clock (a loaded machine may take a while to reap): 5 s in all.</summary>
    private const int PatientRounds = 500;

    private static readonly TimeSpan PatientInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Kills what <paramref name="find"/> returns, again and again, until it returns nothing.</summary>
    public static async Task KillAsync(Func<ProcessTable, IEnumerable<int>> find)
    {
        for (var round = 0; round < QuickRounds + PatientRounds; round++)
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

            // Let the kernel deliver the signals before the next look. The real clock, never the endpoint's: a test's
            // fake clock must not stall this.
            if (round < QuickRounds)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(PatientInterval, TimeProvider.System);
            }
        }
    }
}
