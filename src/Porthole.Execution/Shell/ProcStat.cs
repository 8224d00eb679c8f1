namespace Porthole.Execution.Shell;

/// <summary>The fields of <c>/proc/PID/stat</c> that tell whether a process lives and which group and session it is in.</summary>
internal readonly record struct ProcStat(int Pid, char State, int ParentPid, int ProcessGroup, int Session)
{
    /// <summary>A zombie has ended; it only waits for a parent to reap it (and pid 1 of some hosts never does).</summary>
    public bool IsAlive => State is not ('Z' or 'X' or 'x');
}
