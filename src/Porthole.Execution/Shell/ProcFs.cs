using System.Globalization;

namespace Porthole.Execution.Shell;

/// <summary>Reads the process table from /proc: how a session's members and a node's escaped processes are found by id.</summary>
internal static class ProcFs
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

    public static IEnumerable<int> ProcessIds()
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

    /// <summary>The living processes of a session (what <c>setsid</c> gave a step).</summary>
    public static List<ProcStat> LivingMembersOfSession(int sessionId)
    {
        var members = new List<ProcStat>();
        foreach (var pid in ProcessIds())
        {
            if (TryReadStat(pid, out var stat) && stat.Session == sessionId && stat.IsAlive)
            {
                members.Add(stat);
            }
        }

        return members;
    }

    /// <summary>The living processes whose environment holds exactly <paramref name="entry"/> (NAME=value).</summary>
    public static List<ProcStat> LivingProcessesWithEnvironmentEntry(string entry, int exceptPid = 0)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(entry + "\0");
        var found = new List<ProcStat>();
        foreach (var pid in ProcessIds())
        {
            if (pid <= 1 || pid == exceptPid)
            {
                continue;
            }

            byte[] environ;
            try
            {
                environ = File.ReadAllBytes($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/environ");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (ContainsEntry(environ, needle) && TryReadStat(pid, out var stat) && stat.IsAlive)
            {
                found.Add(stat);
            }
        }

        return found;
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
}
