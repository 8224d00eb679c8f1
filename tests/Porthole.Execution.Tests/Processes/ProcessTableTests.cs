using System.Diagnostics;
using Porthole.Execution.Processes;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Processes;

public sealed class ProcessTableTests
{
    [Fact]
    public async Task A_child_and_its_child_are_found_by_parent_tree_and_environment()
    {
        var tag = $"PORTHOLE_PROCESS_TABLE_TEST={Guid.NewGuid():N}";
        using var temp = new TempFolder();
        var pidFile = temp.Combine("sleep.pid");
        using var shell = Start(tag, $"sleep 30 & echo $! > {pidFile}; wait");
        try
        {
            var sleepPid = await TestProcesses.ReadPidFileAsync(pidFile);
            var table = ProcessTable.Read();

            Assert.Contains(shell.Id, table.ChildrenOf(Environment.ProcessId));
            Assert.Equal([sleepPid], table.ChildrenOf(shell.Id));
            Assert.Equal(new HashSet<int> { shell.Id, sleepPid }, table.Tree(shell.Id));
            Assert.Superset(new HashSet<int> { Environment.ProcessId, shell.Id, sleepPid }, table.Tree(Environment.ProcessId));
            Assert.Equal(new HashSet<int> { shell.Id, sleepPid }, table.WithEnvironmentEntry(tag).ToHashSet());
            Assert.Contains(table.All, p => p.Pid == sleepPid && p.ParentPid == shell.Id && p.IsAlive);
        }
        finally
        {
            shell.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void The_own_session_holds_the_own_process()
    {
        Assert.True(ProcFs.TryReadStat(Environment.ProcessId, out var own));

        Assert.Contains(ProcessTable.Read().MembersOfSession(own.Session), p => p.Pid == Environment.ProcessId);
    }

    [Fact]
    public void The_tree_of_a_process_that_is_gone_is_empty() =>
        Assert.Empty(ProcessTable.Read().Tree(int.MaxValue));

    private static Process Start(string environmentEntry, string script)
    {
        var startInfo = new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardInput = true };
        var (name, value) = (environmentEntry.Split('=', 2)[0], environmentEntry.Split('=', 2)[1]);
        startInfo.Environment[name] = value;
        var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        return process;
    }
}
