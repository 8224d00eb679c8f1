using System.Text;
using Porthole.Execution.JobData;

namespace Porthole.Execution.Tests.JobData;

/// <summary>Caches and workspace layers are zstd streams that the real zstd tool reads and writes too.</summary>
public sealed class ZstdStreamsTests
{
    [Fact]
    public async Task What_is_compressed_decompresses_byte_identical()
    {
        var content = MixedContent(3 * 1024 * 1024);
        var compressed = new MemoryStream();
        await using (var zstd = ZstdStreams.Compress(compressed, leaveOpen: true))
        {
            await zstd.WriteAsync(content);
        }

        Assert.True(compressed.Length < content.Length / 2, $"{compressed.Length} bytes is not compressed");
        compressed.Position = 0;
        await using var back = ZstdStreams.Decompress(compressed);
        var read = new MemoryStream();
        await back.CopyToAsync(read);
        Assert.Equal(content, read.ToArray());
    }

    [Fact]
    public async Task The_zstd_tool_reads_ours_and_we_read_its()
    {
        using var folder = new TempFolder();
        var content = MixedContent(1024 * 1024);
        var ours = folder.Combine("ours.zst");
        await using (var file = File.Create(ours))
        await using (var zstd = ZstdStreams.Compress(file, level: 1))
        {
            await zstd.WriteAsync(content);
        }

        var decompressed = await Tool.RunAsync("zstd", "-d", "-c", ours);
        Assert.Equal(0, decompressed.ExitCode);
        Assert.Equal(content, decompressed.Output);

        var theirs = await Tool.RunAsync("zstd", ["-3", "-c"], new MemoryStream(content));
        Assert.Equal(0, theirs.ExitCode);
        await using var back = ZstdStreams.Decompress(new MemoryStream(theirs.Output));
        var read = new MemoryStream();
        await back.CopyToAsync(read);
        Assert.Equal(content, read.ToArray());
    }

    [Fact]
    public async Task Workers_compress_to_a_stream_any_reader_reads()
    {
        var content = MixedContent(2 * 1024 * 1024);
        var compressed = new MemoryStream();
        await using (var zstd = ZstdStreams.Compress(compressed, level: 3, leaveOpen: true, workers: 2))
        {
            await zstd.WriteAsync(content);
        }

        var decompressed = await Tool.RunAsync("zstd", ["-d", "-c"], new MemoryStream(compressed.ToArray()));
        Assert.Equal(content, decompressed.Output);
    }

    [Fact]
    public async Task Data_that_is_not_zstd_is_invalid_data_not_a_library_exception()
    {
        await using var stream = ZstdStreams.Decompress(new MemoryStream("this is a plain tar, not zstd"u8.ToArray()));

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await stream.CopyToAsync(Stream.Null));
        Assert.Contains("not a valid zstd stream", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => ZstdStreams.Decompress(new MemoryStream("xxxxxxxxxxxxxxxx"u8.ToArray())).CopyTo(Stream.Null));
    }

    [Fact]
    public async Task A_truncated_archive_is_invalid_data()
    {
        var compressed = new MemoryStream();
        await using (var zstd = ZstdStreams.Compress(compressed, leaveOpen: true))
        {
            await zstd.WriteAsync(MixedContent(512 * 1024));
        }

        var half = compressed.ToArray()[..(int)(compressed.Length / 2)];
        await using var stream = ZstdStreams.Decompress(new MemoryStream(half));

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await stream.CopyToAsync(Stream.Null));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Leave_open_decides_whether_the_inner_stream_is_closed()
    {
        var kept = new MemoryStream();
        ZstdStreams.Compress(kept, leaveOpen: true).Dispose();
        Assert.True(kept.CanWrite);

        var closed = new MemoryStream();
        ZstdStreams.Compress(closed).Dispose();
        Assert.False(closed.CanWrite);

        var source = new MemoryStream(kept.ToArray());
        ZstdStreams.Decompress(source).Dispose();
        Assert.False(source.CanRead);
    }

    /// <summary>Text that compresses as sources do, with a share of random bytes that do not.</summary>
    internal static byte[] MixedContent(int size)
    {
        var random = new Random(7);
        var text = new StringBuilder();
        var words = new[] { "function", "return", "const", "module.exports", "require(", "{", "}", "=>", "null", "\n" };
        while (text.Length < size * 3 / 4)
        {
            text.Append(words[random.Next(words.Length)]).Append(' ').Append(random.Next(1000));
        }

        var bytes = new byte[size];
        var textBytes = Encoding.UTF8.GetBytes(text.ToString());
        textBytes.AsSpan(0, Math.Min(textBytes.Length, size)).CopyTo(bytes);
        random.NextBytes(bytes.AsSpan(Math.Min(textBytes.Length, size)));
        return bytes;
    }
}
