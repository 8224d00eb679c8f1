using System.Globalization;

namespace Porthole.Bench;

/// <summary>This process's resident memory (the embedded server runs in it): now, and the peak while a run goes on.</summary>
public static class ResidentMemory
{
    public static async Task<long> SamplePeakAsync(CancellationToken ct)
    {
        long peak = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                peak = Math.Max(peak, ResidentBytes());
                await Task.Delay(20, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return Math.Max(peak, ResidentBytes());
    }

    public static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
