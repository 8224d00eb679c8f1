namespace Porthole.Execution.Processes;

/// <summary>
/// The fields of <c>/proc/PID/stat</c> that tell whether a process lives, who its parent is and which group and
/// session it is in.
/// </summary>
public readonly record struct ProcStat(int Pid, char State, int ParentPid, int ProcessGroup, int Session)
{
    /// <summary>A zombie has ended; it only waits for a parent to reap it (and pid 1 of some hosts never does).</summary>
    public bool IsAlive => State is not ('Z' or 'X' or 'x');
}
