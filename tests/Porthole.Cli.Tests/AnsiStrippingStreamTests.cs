using System.Text;
using Porthole.Cli.Output;

namespace Porthole.Cli.Tests;

public sealed class AnsiStrippingStreamTests
{
    // Caret notation in the cases below: "^[" stands for ESC, "^G" for BEL.
    [Theory]
    [InlineData("plain text\n", "plain text\n")]
    [InlineData("^[[1m==> Checkout code^[[0m\n", "==> Checkout code\n")]
    [InlineData("^[[38;5;196mred^[[39m ^[[38;2;0;128;255mblue^[[m", "red blue")]
    [InlineData("^[[?25lhidden cursor^[[?25h", "hidden cursor")]
    [InlineData("progress 10%\r^[[2Kprogress 20%^[[1A^[[10;20H", "progress 10%\rprogress 20%")]
    [InlineData("^[[>4;2m^[[ q^[[!p", "")]
    [InlineData("^[]0;window title^Gbefore", "before")]
    [InlineData(@"^[]2;title^[\after", "after")]
    [InlineData(@"^[]8;;https://example.com/^[\the link^[]8;;^[\", "the link")]
    [InlineData(@"^[Pq#0;2;0;0;0#1~~@@^[\sixel gone", "sixel gone")]
    [InlineData(@"^[_APC payload^[\^[^privacy^[\^[Xsos^[\kept", "kept")]
    [InlineData("^[(Bcharset ^[)0^[7saved^[8 ^[=keypad^[> ^[c^[M", "charset saved keypad ")]
    [InlineData("^[#8fill", "fill")]
    [InlineData("^[^[[31mdouble escape", "double escape")]
    [InlineData("lone escape at the end^[", "lone escape at the end")]
    [InlineData("an escape before a newline^[\nnext", "an escape before a newline\nnext")]
    [InlineData("^[[31\nbroken CSI keeps the line", "\nbroken CSI keeps the line")]
    [InlineData("^[[31^[[32mgreen", "green")]
    [InlineData("^[]0;a title never ended\nthe next line", "\nthe next line")]
    [InlineData("^[]0;title^[[1mbold", "bold")]
    [InlineData("^[]0;cancelled\u0018after", "after")]
    [InlineData("^[[31mGrüße — 日本語^[[0m ✓", "Grüße — 日本語 ✓")]
    [InlineData("tabs\tand\u0007bells stay", "tabs\tand\u0007bells stay")]
    public void Escape_sequences_are_left_out_and_everything_else_kept(string input, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(input.Replace("^[", "\u001b", StringComparison.Ordinal).Replace("^G", "\u0007", StringComparison.Ordinal));

        Assert.Equal(expected, Encoding.UTF8.GetString(StripAtOnce(bytes)));
        Assert.Equal(expected, Encoding.UTF8.GetString(StripByteByByte(bytes)));
    }

    [Fact]
    public void Bytes_that_are_not_UTF_8_pass_unchanged()
    {
        byte[] input = [0xff, 0x1b, (byte)'[', (byte)'1', (byte)'m', 0xfe, 0xc3, (byte)'\n', 0x80];

        Assert.Equal([0xff, 0xfe, 0xc3, (byte)'\n', 0x80], StripAtOnce(input));
    }

    [Fact]
    public async Task A_sequence_split_across_async_writes_is_still_removed()
    {
        using var inner = new MemoryStream();
        await using (var stream = new AnsiStrippingStream(inner))
        {
            await stream.WriteAsync("one \u001b[3"u8.ToArray());
            await stream.WriteAsync("1mtwo\u001b]0;ti"u8.ToArray());
            await stream.WriteAsync("tle\u0007 three"u8.ToArray());
            await stream.FlushAsync();
        }

        Assert.Equal("one two three", Encoding.UTF8.GetString(inner.ToArray()));
        Assert.True(inner.CanWrite, "the inner stream stays open");
    }

    private static byte[] StripAtOnce(byte[] input)
    {
        using var inner = new MemoryStream();
        using var stream = new AnsiStrippingStream(inner);
        stream.Write(input);
        return inner.ToArray();
    }

    private static byte[] StripByteByByte(byte[] input)
    {
        using var inner = new MemoryStream();
        using var stream = new AnsiStrippingStream(inner);
        foreach (var b in input)
        {
            stream.Write([b]);
        }

        return inner.ToArray();
    }
}
