using System.Globalization;
using System.Text;

namespace Porthole.Execution.Processes;

/// <summary>Searches <c>/proc/PID/environ</c>: how processes tagged with a variable are found, wherever they went.</summary>
internal static class ProcEnviron
{
    /// <summary>
    /// Those of <paramref name="pids"/> whose environment holds exactly <paramref name="entry"/> (NAME=value); only
    /// processes whose environment this user can read (its own) are seen.
    /// </summary>
    public static IEnumerable<int> Holding(IEnumerable<int> pids, string entry)
    {
        var needle = Encoding.UTF8.GetBytes(entry + "\0");
        foreach (var pid in pids)
        {
            byte[] environ;
            try
            {
                environ = File.ReadAllBytes($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/environ");
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

    /// <summary>Whether a NUL-separated environment holds <paramref name="needle"/> (NAME=value and its NUL) as a whole entry.</summary>
    internal static bool ContainsEntry(ReadOnlySpan<byte> environ, ReadOnlySpan<byte> needle)
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
