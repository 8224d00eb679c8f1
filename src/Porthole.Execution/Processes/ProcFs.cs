using System.Globalization;

namespace Porthole.Execution.Processes;

/// <summary>Reads the process table from /proc, one process by id at a time: how processes are found, never by name.</summary>
public static class ProcFs
{
    public static bool TryReadStat(int pid, out ProcStat stat)
    {
        stat = default;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return TryParseStat(text, out stat);
    }

    /// <summary>
    /// The process's id in its own pid namespace (the last of <c>NSpid</c> in /proc/PID/status): what a process in a
    /// sandbox's or container's namespace calls it (<c>$$</c>). The same as <paramref name="pid"/> outside one; null when gone.
    /// </summary>
    public static int? InnermostPid(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("NSpid:", StringComparison.Ordinal))
                {
                    var last = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[^1];
                    return int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var inner) ? inner : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>Present and not a zombie (pid 1 of some hosts never reaps orphans).</summary>
    public static bool IsAlive(int pid) => TryReadStat(pid, out var stat) && stat.IsAlive;

    /// <summary>Parses "pid (comm) S ppid pgrp session …"; comm may itself hold spaces and parentheses.</summary>
    internal static bool TryParseStat(string text, out ProcStat stat)
    {
        stat = default;
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

        stat = new ProcStat(pid, fields[0][0], ppid, pgrp, session);
        return true;
    }

    /// <summary>The ids of every process /proc lists now, living or not.</summary>
    internal static IEnumerable<int> ProcessIds()
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

    /// <summary>The living processes whose environment holds exactly <paramref name="entry"/> (NAME=value).</summary>
    internal static List<ProcStat> LivingProcessesWithEnvironmentEntry(string entry, int exceptPid = 0)
    {
        var found = new List<ProcStat>();
        foreach (var pid in ProcEnviron.Holding(ProcessIds().Where(pid => pid > 1 && pid != exceptPid), entry))
        {
            if (TryReadStat(pid, out var stat) && stat.IsAlive)
            {
                found.Add(stat);
            }
        }

        return found;
    }
}
