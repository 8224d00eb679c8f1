using System.Diagnostics;
using Porthole.Contracts.Runners;
using Porthole.Execution.Tests.Support;
using Xunit.Abstractions;

namespace Porthole.Execution.Tests.Logging;

[CollectionDefinition(nameof(ThroughputTests), DisableParallelization = true)]
public sealed class ThroughputCollection;

/// <summary>200 MB through one step, with and without secrets to mask; run alone so the figures mean something.</summary>
[Collection(nameof(ThroughputTests))]
public sealed class ThroughputTests(ITestOutputHelper output) : IDisposable
{
    private const long Size = 200L * 1024 * 1024;

    /// <summary>The benchmark's bar is 100 MB/s; the test allows for a loaded CI machine and prints the real figure.</summary>
    private const double MinimumMegabytesPerSecond = 100;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_hundred_megabytes_flow_through_a_step_quickly_in_pooled_chunks(bool withSecrets)
    {
        IReadOnlyList<ProjectVariable> secrets = withSecrets
            ? [new("TOKEN", "ghp_0123456789abcdefghijklmnopqrstuvwxyz", true), new("PASSWORD", "correct horse battery staple", true)]
            : [];
        var runner = new NodeRunner(TimeProvider.System, new Porthole.Execution.Shell.ShellExecutor(TimeProvider.System));

        // The first node of a process pays for JIT and thread pool growth; the benchmark measures the steady state.
        await runner.RunAsync(Firehose(1024 * 1024, secrets), new NodeRunOptions(_folder.Combine("warm-up"), TimeSpan.FromMinutes(10)), new RecordingReporter { CountOnly = true }, CancellationToken.None);

        var reporter = new RecordingReporter { CountOnly = true };
        var assignment = Firehose(Size, secrets);

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        var completion = await runner.RunAsync(assignment, new NodeRunOptions(_folder.Combine("ws"), TimeSpan.FromMinutes(10)), reporter, CancellationToken.None);
        stopwatch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var megabytesPerSecond = reporter.BytesWritten / 1024.0 / 1024.0 / stopwatch.Elapsed.TotalSeconds;
        output.WriteLine($"secrets: {withSecrets}; {reporter.BytesWritten} bytes in {stopwatch.Elapsed.TotalSeconds:0.00} s = {megabytesPerSecond:0} MB/s; allocated {allocated / 1024 / 1024} MB; {reporter.BytesWritten / reporter.LogWrites} bytes per write");
        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.True(reporter.BytesWritten >= Size);
        Assert.True(megabytesPerSecond >= MinimumMegabytesPerSecond, $"{megabytesPerSecond:0} MB/s");
        Assert.True(allocated < 64L * 1024 * 1024, $"allocated {allocated} bytes for {Size} bytes of output");
    }

    private static NodeAssignment Firehose(long bytes, IReadOnlyList<ProjectVariable> secrets) =>
        Plans.Assignment(
            // Plain bash: `yes` ends on SIGPIPE when head has had enough, which pipefail would count as a failure.
            Plans.Job([Plans.Run("Firehose", $"yes 'the quick brown fox jumps over the lazy dog 0123456789' | head -c {bytes}", shell: "/bin/bash")]),
            variables: secrets,
            logCapBytes: 1L << 40);
}
