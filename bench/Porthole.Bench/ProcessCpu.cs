using System.Globalization;

namespace Porthole.Bench;

/// <summary>
/// The CPU time a process has used, with that of its children it has waited for (<c>/proc/PID/stat</c>: utime, stime,
/// cutime, cstime), in seconds: where a benchmark's time goes, between a server and its runners.
/// </summary>
public static class ProcessCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on Linux

    public static double Seconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) may hold spaces; the fields after it start past its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = 0L;
        for (var field = 14; field <= 17; field++)
        {
            ticks += long.Parse(fields[field - 3], CultureInfo.InvariantCulture);
        }

        return ticks / TicksPerSecond;
    }
}
