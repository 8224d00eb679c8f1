using System.Globalization;

namespace Porthole.Execution.Processes;

/// <summary>Reads which sockets a process holds, from its <c>/proc/PID/fd</c> links.</summary>
public static class ProcSockets
{
    /// <summary>The socket inodes a process has open (its /proc/PID/fd links of the form <c>socket:[INODE]</c>).</summary>
    public static HashSet<long> InodesOf(int pid)
    {
        var inodes = new HashSet<long>();
        IEnumerable<string> links;
        try
        {
            links = Directory.EnumerateFileSystemEntries($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd");
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
}
