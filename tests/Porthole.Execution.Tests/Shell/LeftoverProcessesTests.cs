using System.Diagnostics;
using Porthole.Execution.Processes;
using Porthole.Execution.Shell;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Shell;

/// <summary>R-SSH-9: what a crashed runner's nodes left running is ended at the runner's next start, by tag.</summary>
public sealed class LeftoverProcessesTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task EndTaggedAsync_ends_a_detached_process_that_carries_the_tag()
    {
        var tag = "leftover-" + Guid.NewGuid().ToString("N");
        var pid = await StartDetachedSleepAsync(tag);
        try
        {
            Assert.True(ProcFs.IsAlive(pid));

            var ended = await LeftoverProcesses.EndTaggedAsync(tag, TimeProvider.System, CancellationToken.None);

            Assert.Equal(1, ended);
            await RecordingReporter.WaitUntilAsync(() => !ProcFs.IsAlive(pid), $"pid {pid} to be gone", TimeSpan.FromSeconds(5));
        }
        finally
        {
            TestProcesses.KillIfAlive(pid);
        }
    }

    [Fact]
    public async Task EndTaggedAsync_leaves_a_process_without_the_tag_alone()
    {
        var tag = "leftover-" + Guid.NewGuid().ToString("N");
        var other = await StartDetachedSleepAsync("another-" + Guid.NewGuid().ToString("N"));
        var untagged = await StartDetachedSleepAsync(tag: null);
        try
        {
            var ended = await LeftoverProcesses.EndTaggedAsync(tag, TimeProvider.System, CancellationToken.None);

            Assert.Equal(0, ended);
            Assert.True(ProcFs.IsAlive(other));
            Assert.True(ProcFs.IsAlive(untagged));
        }
        finally
        {
            TestProcesses.KillIfAlive(other);
            TestProcesses.KillIfAlive(untagged);
        }
    }

    [Fact]
    public async Task EndTaggedAsync_does_not_match_a_tag_that_only_begins_the_same()
    {
        var tag = "leftover-" + Guid.NewGuid().ToString("N");
        var longer = await StartDetachedSleepAsync(tag + "-more");
        try
        {
            Assert.Equal(0, await LeftoverProcesses.EndTaggedAsync(tag, TimeProvider.System, CancellationToken.None));
            Assert.True(ProcFs.IsAlive(longer));
        }
        finally
        {
            TestProcesses.KillIfAlive(longer);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("a\nb")]
    [InlineData("a\0b")]
    public async Task EndTaggedAsync_refuses_a_tag_that_could_match_what_it_should_not(string tag) =>
        await Assert.ThrowsAsync<ArgumentException>(() => LeftoverProcesses.EndTaggedAsync(tag, TimeProvider.System, CancellationToken.None));

    /// <summary>Starts <c>sleep 300</c> in a session of its own (setsid), as a node's process would be, and returns its pid.</summary>
    private async Task<int> StartDetachedSleepAsync(string? tag)
    {
        var pidFile = _folder.Combine(Guid.NewGuid().ToString("N") + ".pid");
        var startInfo = new ProcessStartInfo(ShellTools.Find().Setsid)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "/bin/sh", "-c", "echo $$ > \"$0\"; exec sleep 300", pidFile })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Remove(LeftoverProcesses.TagVariable);
        if (tag is not null)
        {
            startInfo.Environment[LeftoverProcesses.TagVariable] = tag;
        }

        using (var process = Process.Start(startInfo)!)
        {
            process.StandardInput.Close();
        }

        var pid = await TestProcesses.ReadPidFileAsync(pidFile);
        Assert.True(ProcFs.TryReadStat(pid, out var stat));
        Assert.Equal(pid, stat.Session);
        return pid;
    }
}
