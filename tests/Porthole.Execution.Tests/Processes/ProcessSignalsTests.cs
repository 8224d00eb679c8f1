using System.Diagnostics;
using Porthole.Execution.Processes;

namespace Porthole.Execution.Tests.Processes;

public sealed class ProcessSignalsTests
{
    /// <summary>Signal 0 only asks whether a signal could be sent, so a broken guard fails the test without harm.</summary>
    private const int Probe = 0;

    [Fact]
    public void Pid_0_pid_1_and_the_own_process_are_never_signalled()
    {
        Assert.False(ProcessSignals.MaySignal(0));
        Assert.False(ProcessSignals.MaySignal(1));
        Assert.False(ProcessSignals.MaySignal(Environment.ProcessId));
        Assert.False(ProcessSignals.Send(Environment.ProcessId, Probe));
        Assert.True(ProcFs.TryReadStat(Environment.ProcessId, out var own));
        Assert.False(ProcessSignals.SendToGroup(own.ProcessGroup, Probe));
    }

    [Fact]
    public async Task A_child_is_killed_by_its_id()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", ["30"]))!;
        try
        {
            Assert.True(ProcessSignals.MaySignal(child.Id));

            Assert.True(ProcessSignals.Send(child.Id, ProcessSignals.SigKill));

            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.False(ProcFs.IsAlive(child.Id));
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }

    [Fact]
    public void A_process_that_does_not_exist_is_not_signalled() =>
        Assert.False(ProcessSignals.Send(int.MaxValue, Probe));
}
