using System.Text;
using Porthole.Server.Logs;

namespace Porthole.Server.Tests;

/// <summary>The live log's text keeps the log's byte offsets, also for bytes that are not UTF-8.</summary>
public sealed class Utf8BoundaryTests
{
    [Theory]
    [InlineData(new byte[] { 0x61, 0xFF, 0x62 }, "a?b")]
    [InlineData(new byte[] { 0xE2, 0x82, 0x61 }, "??a")]
    [InlineData(new byte[] { 0xC3, 0xA9, 0xE9, 0x0A }, "é?\n")]
    public void An_invalid_byte_is_one_character_so_the_text_is_as_long_in_UTF8_as_the_bytes(byte[] bytes, string expected)
    {
        var text = Utf8Boundary.Decode(bytes);

        Assert.Equal(expected, text);
        Assert.Equal(bytes.Length, Encoding.UTF8.GetByteCount(text));
    }

    [Fact]
    public void A_sequence_cut_at_the_end_is_left_for_the_next_chunk()
    {
        Assert.Equal(2, Utf8Boundary.CompleteLength([0x61, 0x62, 0xE2, 0x82]));
    }
}
