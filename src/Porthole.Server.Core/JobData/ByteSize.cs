using System.Globalization;

namespace Porthole.Server.JobData;

/// <summary>A number of bytes as a person reads it: <c>5 GB (5368709120 bytes)</c>, binary units.</summary>
public static class ByteSize
{
    public static string Describe(long bytes)
    {
        string[] units = ["KB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit < 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]} ({bytes} bytes)");
    }
}
