namespace Porthole.Execution.Processes;

/// <summary>
/// Signals processes and process groups by id (kill(2)). Never pid 0 or 1, nor this process or its own process group:
/// a pid read from /proc may be anything, and a runner must never end itself.
/// </summary>
public static class ProcessSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private static readonly int OwnProcessId = Environment.ProcessId;
    private static readonly int OwnProcessGroup = LibC.GetProcessGroup();

    /// <summary>Whether <paramref name="pid"/> is a process this one may signal: not 0 or 1 and not itself.</summary>
    public static bool MaySignal(int pid) => pid > 1 && pid != OwnProcessId;

    /// <summary>Sends <paramref name="signal"/> to one process; false if it may not be signalled or kill(2) failed.</summary>
    public static bool Send(int pid, int signal) => MaySignal(pid) && LibC.Kill(pid, signal) == 0;

    /// <summary>Sends <paramref name="signal"/> to every process of a group; never this process's own group.</summary>
    public static bool SendToGroup(int processGroup, int signal) =>
        processGroup > 1 && processGroup != OwnProcessGroup && LibC.Kill(-processGroup, signal) == 0;
}
