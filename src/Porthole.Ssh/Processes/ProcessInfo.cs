namespace Porthole.Ssh.Processes;

/// <summary>One line of the process table: the fields of /proc/PID/stat that say who belongs to whom.</summary>
internal readonly record struct ProcessInfo(int Pid, char State, int ParentPid, int ProcessGroup, int Session)
{
    /// <summary>Zombies and dead processes count as ended: pid 1 of a container may never reap them.</summary>
    public bool IsAlive => State is not ('Z' or 'X' or 'x');
}
