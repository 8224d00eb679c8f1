using Porthole.Execution.Processes;

namespace Porthole.Execution.Tests.Processes;

public sealed class ProcFsTests
{
    [Fact]
    public void A_command_name_with_spaces_and_parentheses_is_parsed()
    {
        Assert.True(ProcFs.TryParseStat("4242 (my (odd) prog) S 1 4240 4200 0 -1 4194560 100", out var stat));

        Assert.Equal(new ProcStat(4242, 'S', 1, 4240, 4200), stat);
        Assert.True(stat.IsAlive);
    }

    [Fact]
    public void A_zombie_is_not_alive()
    {
        Assert.True(ProcFs.TryParseStat("7 (sleep) Z 1 7 7 0", out var stat));

        Assert.False(stat.IsAlive);
    }

    [Fact]
    public void The_own_process_is_found()
    {
        Assert.True(ProcFs.TryReadStat(Environment.ProcessId, out var stat));

        Assert.Equal(Environment.ProcessId, stat.Pid);
        Assert.True(ProcFs.IsAlive(Environment.ProcessId));
    }

    [Fact]
    public void A_process_that_does_not_exist_is_not_alive()
    {
        Assert.False(ProcFs.TryReadStat(int.MaxValue, out _));
        Assert.False(ProcFs.IsAlive(int.MaxValue));
    }
}
