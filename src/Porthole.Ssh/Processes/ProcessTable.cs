using System.Globalization;
using System.Text;

namespace Porthole.Ssh.Processes;

/// <summary>
/// A snapshot of the living processes, read from /proc: how an endpoint finds, by id, the processes of its sshd,
/// its connections and their sessions. Never by name.
/// </summary>
internal sealed class ProcessTable
{
    private readonly Dictionary<int, ProcessInfo> _processes;

    private ProcessTable(Dictionary<int, ProcessInfo> processes)
    {
        _processes = processes;
    }

    public IEnumerable<ProcessInfo> All => _processes.Values;

    public static ProcessTable Read()
    {
        var processes = new Dictionary<int, ProcessInfo>();
        foreach (var pid in ProcessIds())
        {
            if (TryReadStat(pid, out var info) && info.IsAlive)
            {
                processes[pid] = info;
            }
        }

        return new ProcessTable(processes);
    }

    public static bool IsAlive(int pid) => TryReadStat(pid, out var info) && info.IsAlive;

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

    public IEnumerable<int> MembersOfSession(int session) => _processes.Values.Where(p => p.Session == session).Select(p => p.Pid);

    /// <summary>The living processes whose environment holds exactly <paramref name="entry"/> (NAME=value).</summary>
    public IEnumerable<int> WithEnvironmentEntry(string entry)
    {
        var needle = Encoding.UTF8.GetBytes(entry + "\0");
        foreach (var pid in _processes.Keys)
        {
            byte[] environ;
            try
            {
                environ = File.ReadAllBytes($"/proc/{Text(pid)}/environ");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (ContainsEntry(environ, needle))
            {
                yield return pid;
            }
        }
    }

    /// <summary>The socket inodes a process has open (its /proc/PID/fd links of the form <c>socket:[INODE]</c>).</summary>
    public static HashSet<long> SocketInodes(int pid)
    {
        var inodes = new HashSet<long>();
        IEnumerable<string> links;
        try
        {
            links = Directory.EnumerateFileSystemEntries($"/proc/{Text(pid)}/fd");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return inodes;
        }

        foreach (var link in links)
        {
            string? target;
            try
            {
                target = new FileInfo(link).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
                && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                inodes.Add(inode);
            }
        }

        return inodes;
    }

    /// <summary>Parses "pid (comm) S ppid pgrp session …"; comm may itself hold spaces and parentheses.</summary>
    internal static bool TryParseStat(string text, out ProcessInfo info)
    {
        info = default;
        var open = text.IndexOf(' ', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open <= 0 || close < 0 || close + 2 >= text.Length)
        {
            return false;
        }

        var fields = text[(close + 2)..].Split(' ', 5);
        if (fields.Length < 4
            || !int.TryParse(text.AsSpan(0, open), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || fields[0].Length != 1
            || !int.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ppid)
            || !int.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var pgrp)
            || !int.TryParse(fields[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var session))
        {
            return false;
        }

        info = new ProcessInfo(pid, fields[0][0], ppid, pgrp, session);
        return true;
    }

    private static bool TryReadStat(int pid, out ProcessInfo info)
    {
        info = default;
        try
        {
            return TryParseStat(File.ReadAllText($"/proc/{Text(pid)}/stat"), out info);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static IEnumerable<int> ProcessIds()
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories("/proc");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var entry in entries)
        {
            if (int.TryParse(Path.GetFileName(entry.AsSpan()), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    private static bool ContainsEntry(ReadOnlySpan<byte> environ, ReadOnlySpan<byte> needle)
    {
        var from = 0;
        while (from < environ.Length)
        {
            var index = environ[from..].IndexOf(needle);
            if (index < 0)
            {
                return false;
            }

            var at = from + index;
            if (at == 0 || environ[at - 1] == 0)
            {
                return true;
            }

            from = at + 1;
        }

        return false;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
