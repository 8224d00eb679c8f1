namespace Porthole.Server.Logs;

/// <summary>Where a byte chunk can be cut without splitting a UTF-8 sequence, so live text never shows a broken character.</summary>
public static class Utf8Boundary
{
    /// <summary>The length of the longest prefix of <paramref name="bytes"/> that ends on a whole UTF-8 sequence.</summary>
    public static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? bytes.Length - back : bytes.Length;
        }

        return bytes.Length;
    }
}
