namespace Porthole.Testing;

/// <summary>
/// Finds processes by the title a test's job gave them (<c>exec -a MARKER …</c>): a job's processes are in a sandbox of
/// their own, so their pids and files are not the host's. For assertions only, never to kill (kill by id).
/// </summary>
internal static class ProcessTitles
{
    public static List<int> Find(string marker)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(directory), out var pid)
                    && File.ReadAllText(Path.Combine(directory, "cmdline")).StartsWith(marker, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
