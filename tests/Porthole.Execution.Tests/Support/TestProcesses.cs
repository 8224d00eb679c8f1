using System.Diagnostics;
using System.Globalization;
using Porthole.Execution.Processes;

namespace Porthole.Execution.Tests.Support;

/// <summary>Looks at processes by the ids that steps wrote down.</summary>
internal static class TestProcesses
{
    public static async Task<int> ReadPidFileAsync(string path)
    {
        await RecordingReporter.WaitUntilAsync(
            () => File.Exists(path) && File.ReadAllText(path).Trim().Length > 0, $"the pid file {path}");
        return int.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Test cleanup when an assertion failed: ends a process the test caused, by its id.</summary>
    public static void KillIfAlive(int pid)
    {
        if (pid > 1 && ProcFs.IsAlive(pid))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
