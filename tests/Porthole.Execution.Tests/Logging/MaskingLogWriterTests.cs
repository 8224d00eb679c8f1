using System.Text;
using Porthole.Execution.Logging;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Logging;

public sealed class MaskingLogWriterTests
{
    private readonly RecordingReporter _reporter = new();

    [Fact]
    public async Task Without_secrets_chunks_pass_through_unchanged()
    {
        var writer = Writer();

        await Write(writer, "\u001b[31mred\u001b[0m partial");
        await Write(writer, " line\n");

        Assert.Equal("\u001b[31mred\u001b[0m partial line\n", _reporter.Log);
        Assert.Equal([20, 6], _reporter.ChunkSizes);
    }

    [Fact]
    public async Task A_secret_in_one_chunk_is_masked()
    {
        var writer = Writer("hunter2-password");

        await Write(writer, "login with hunter2-password now\n");

        Assert.Equal("login with ******** now\n", _reporter.Log);
    }

    [Fact]
    public async Task A_secret_split_across_chunks_is_masked_and_the_start_is_held_back_until_the_rest_comes()
    {
        var writer = Writer("secret-token");

        await Write(writer, "value: secr");
        Assert.Equal("value: ", _reporter.Log);
        await Write(writer, "et-tok");
        Assert.Equal("value: ", _reporter.Log);
        await Write(writer, "en!\n");

        Assert.Equal("value: ********!\n", _reporter.Log);
    }

    [Fact]
    public async Task A_held_back_start_that_turns_out_not_to_be_a_secret_is_released_with_the_next_chunk()
    {
        var writer = Writer("secret-token");

        await Write(writer, "a sec");
        await Write(writer, "ond\n");

        Assert.Equal("a second\n", _reporter.Log);
    }

    [Fact]
    public async Task Flush_releases_what_was_held_back()
    {
        var writer = Writer("secret-token");

        await Write(writer, "ends with secr");
        await writer.FlushAsync();

        Assert.Equal("ends with secr", _reporter.Log);
    }

    [Fact]
    public async Task Complete_lines_are_never_held_back()
    {
        var writer = Writer("secret-token");

        await Write(writer, "line one\nsecret\n");

        Assert.Equal("line one\nsecret\n", _reporter.Log);
    }

    [Fact]
    public async Task Each_line_of_a_multi_line_secret_is_masked()
    {
        var writer = Writer("-----BEGIN KEY-----\r\nAAAABBBBCCCC\r\n-----END KEY-----");

        await Write(writer, "key:\n-----BEGIN KEY-----\nAAAABBBBCCCC\n-----END KEY-----\n");

        Assert.Equal("key:\n********\n********\n********\n", _reporter.Log);
    }

    [Fact]
    public async Task Secrets_shorter_than_four_characters_are_not_masked()
    {
        var writer = Writer("abc", "1");

        await Write(writer, "abc 1 2 3\n");

        Assert.Equal("abc 1 2 3\n", _reporter.Log);
    }

    [Fact]
    public async Task Overlapping_and_repeated_secrets_are_masked_whole()
    {
        var writer = Writer("abcdef", "defghi");

        await Write(writer, "x abcdefghi y abcdef abcdef\n");

        Assert.Equal("x ******** y ******** ********\n", _reporter.Log);
    }

    [Fact]
    public async Task Overlapping_secrets_split_across_chunks_are_masked_whole()
    {
        var writer = Writer("abcd", "cdxyz");

        await Write(writer, "zabcdx");
        await Write(writer, "yz\n");

        Assert.Equal("z********\n", _reporter.Log);
    }

    [Fact]
    public async Task Utf8_secrets_are_masked()
    {
        var writer = Writer("pässwörd");

        var bytes = Encoding.UTF8.GetBytes("a pässwörd b\n");
        await writer.WriteAsync(bytes.AsMemory(0, 4), CancellationToken.None);
        await writer.WriteAsync(bytes.AsMemory(4), CancellationToken.None);

        Assert.Equal("a ******** b\n", _reporter.Log);
    }

    [Fact]
    public async Task A_secret_is_masked_byte_by_byte()
    {
        var writer = Writer("s3cr3t-value");
        var text = "before s3cr3t-value after s3cr3t-valu\n";

        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            await writer.WriteAsync(new[] { b }, CancellationToken.None);
        }

        await writer.FlushAsync();
        Assert.Equal("before ******** after s3cr3t-valu\n", _reporter.Log);
    }

    private MaskingLogWriter Writer(params string[] secrets) =>
        new NodeLog(_reporter, SecretMasker.Create(secrets), 0).CreateWriter();

    private static ValueTask Write(MaskingLogWriter writer, string text) =>
        writer.WriteAsync(Encoding.UTF8.GetBytes(text), CancellationToken.None);
}
