using System.Globalization;

namespace Porthole.Server.Web.Components;

/// <summary>A size as the pages show it, in binary multiples: <c>900 bytes</c>, <c>64 KB</c>, <c>1.2 MB</c>; the CLI writes the same.</summary>
public static class SizeText
{
    public static string Format(long bytes)
    {
        string[] units = ["TB", "GB", "MB", "KB"];
        long[] sizes = [1L << 40, 1L << 30, 1L << 20, 1L << 10];
        for (var i = 0; i < units.Length; i++)
        {
            if (bytes >= sizes[i])
            {
                return string.Create(CultureInfo.InvariantCulture, $"{(double)bytes / sizes[i]:0.#} {units[i]}");
            }
        }

        return bytes == 1 ? "1 byte" : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
    }
}
