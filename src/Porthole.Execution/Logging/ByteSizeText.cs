using System.Globalization;

namespace Porthole.Execution.Logging;

/// <summary>Sizes for people: <c>100 MB</c>, <c>64 KB</c>, <c>1.5 GB</c>, <c>900 bytes</c> (binary multiples).</summary>
internal static class ByteSizeText
{
    public static string Format(long bytes)
    {
        string[] units = ["GB", "MB", "KB"];
        long[] sizes = [1L << 30, 1L << 20, 1L << 10];
        for (var i = 0; i < units.Length; i++)
        {
            if (bytes >= sizes[i])
            {
                return string.Create(CultureInfo.InvariantCulture, $"{(double)bytes / sizes[i]:0.#} {units[i]}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
    }
}
