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

    /// <summary>
    /// Decodes a log chunk so that the text's UTF-8 length is the chunk's length: an invalid byte (binary output, Latin-1
    /// text) becomes one <c>?</c>, not U+FFFD (three bytes), so a reader that counts the text's bytes (the job page's live
    /// log, which splits the stream into steps by byte offsets) stays at the server's offsets.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes) => SameLength.GetString(bytes);

    private static readonly System.Text.Encoding SameLength = System.Text.Encoding.GetEncoding(
        "utf-8", System.Text.EncoderFallback.ReplacementFallback, new OneCharPerByteFallback());

    private sealed class OneCharPerByteFallback : System.Text.DecoderFallback
    {
        public override int MaxCharCount => 4;

        public override System.Text.DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer();

        private sealed class Buffer : System.Text.DecoderFallbackBuffer
        {
            private int _left;

            public override int Remaining => _left;

            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                _left = bytesUnknown.Length;
                return _left > 0;
            }

            public override char GetNextChar()
            {
                if (_left == 0)
                {
                    return '\0';
                }

                _left--;
                return '?';
            }

            public override bool MovePrevious()
            {
                return false;
            }

            public override void Reset() => _left = 0;
        }
    }
}
