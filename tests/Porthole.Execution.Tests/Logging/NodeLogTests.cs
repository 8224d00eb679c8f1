using System.Text;
using Porthole.Contracts.Runners;
using Porthole.Execution.Logging;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Logging;

public sealed class NodeLogTests
{
    [Fact]
    public async Task The_cap_keeps_the_bytes_up_to_it_then_one_notice_and_drops_the_rest()
    {
        var reporter = new RecordingReporter();
        var log = new NodeLog(reporter, SecretMasker.None, 10);
        var writer = log.CreateWriter();

        await writer.WriteAsync(Encoding.UTF8.GetBytes("12345678"), CancellationToken.None);
        await writer.WriteAsync(Encoding.UTF8.GetBytes("abcdef"), CancellationToken.None);
        await writer.WriteAsync(Encoding.UTF8.GetBytes("more"), CancellationToken.None);

        Assert.Equal(
            "12345678ab\nLog truncated: the node's log reached the 10 bytes cap; later output is discarded (the steps keep running).\n",
            reporter.Log);
        Assert.Equal(reporter.LogBytes.Length, log.Offset);
    }

    [Fact]
    public async Task A_failing_reporter_faults_the_log()
    {
        var log = new NodeLog(new FailingReporter(), SecretMasker.None, 0);

        await log.CreateWriter().WriteAsync(new byte[] { 1 }, CancellationToken.None);

        Assert.True(log.Faulted.IsCancellationRequested);
        Assert.IsType<IOException>(log.Fault);
    }

    [Fact]
    public async Task Nothing_reaches_the_reporter_after_the_log_is_closed()
    {
        var reporter = new RecordingReporter();
        var log = new NodeLog(reporter, SecretMasker.None, 0);

        log.Close();
        await log.CreateWriter().WriteAsync(new byte[] { 1 }, CancellationToken.None);

        Assert.Empty(reporter.LogBytes);
    }

    [Theory]
    [InlineData(100L * 1024 * 1024, "100 MB")]
    [InlineData(64 * 1024, "64 KB")]
    [InlineData(1536L * 1024 * 1024, "1.5 GB")]
    [InlineData(900, "900 bytes")]
    public void Sizes_read_as_people_write_them(long bytes, string expected) =>
        Assert.Equal(expected, ByteSizeText.Format(bytes));

    [Theory]
    [InlineData(600_000, "10m0s")]
    [InlineData(7_200_000, "2h0m0s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(300, "300ms")]
    [InlineData(3_723_000, "1h2m3s")]
    [InlineData(45_000, "45s")]
    [InlineData(-1_000, "0ms")]
    public void Durations_read_as_CircleCI_writes_them(int milliseconds, string expected) =>
        Assert.Equal(expected, DurationText.Format(TimeSpan.FromMilliseconds(milliseconds)));

    private sealed class FailingReporter : INodeReporter
    {
        public ValueTask WriteLogAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => throw new IOException("disk full");

        public ValueTask StepChangedAsync(StepReport report, CancellationToken ct) => ValueTask.CompletedTask;
    }
}
