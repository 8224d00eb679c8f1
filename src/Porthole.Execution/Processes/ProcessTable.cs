namespace Porthole.Execution.Processes;

/// <summary>
/// A snapshot of the living processes, read from /proc, with who is whose parent: how a node finds, by id, the
/// processes of a session or of a process tree (an endpoint's sshd, its connections and their sessions). Never by name.
/// </summary>
public sealed class ProcessTable
{
    private readonly Dictionary<int, ProcStat> _processes;

    private ProcessTable(Dictionary<int, ProcStat> processes)
    {
        _processes = processes;
    }

    public IEnumerable<ProcStat> All => _processes.Values;

    public static ProcessTable Read()
    {
        var processes = new Dictionary<int, ProcStat>();
        foreach (var pid in ProcFs.ProcessIds())
        {
            if (ProcFs.TryReadStat(pid, out var stat) && stat.IsAlive)
            {
                processes[pid] = stat;
            }
        }

        return new ProcessTable(processes);
    }

    /// <summary><paramref name="root"/> and every living process under it.</summary>
    public HashSet<int> Tree(int root)
    {
        var tree = new HashSet<int>();
        if (!_processes.ContainsKey(root))
        {
            return tree;
        }

        tree.Add(root);
        bool grew;
        do
        {
            grew = false;
            foreach (var process in _processes.Values)
            {
                if (!tree.Contains(process.Pid) && tree.Contains(process.ParentPid))
                {
                    tree.Add(process.Pid);
                    grew = true;
                }
            }
        }
        while (grew);
        return tree;
    }

    public IEnumerable<int> ChildrenOf(int parent) => _processes.Values.Where(p => p.ParentPid == parent).Select(p => p.Pid);

    /// <summary>The living processes of a session (what <c>setsid</c> gave a step).</summary>
    public IEnumerable<ProcStat> MembersOfSession(int session) => _processes.Values.Where(p => p.Session == session);

    /// <summary>The living processes whose environment holds exactly <paramref name="entry"/> (NAME=value).</summary>
    public IEnumerable<int> WithEnvironmentEntry(string entry) => ProcEnviron.Holding(_processes.Keys, entry);
}
