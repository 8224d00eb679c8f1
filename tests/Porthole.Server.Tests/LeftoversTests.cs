using System.Diagnostics;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>R-SSH-9: what a crashed runner left running is ended at its next start, by the tag its processes carry.</summary>
public sealed class LeftoversTests
{
    [Fact]
    public async Task The_next_start_ends_a_crashed_nodes_processes_and_removes_its_workspace()
    {
        using var data = new TempFolder();
        var workspace = Path.Combine(data.Path, "workspaces", "77");
        Directory.CreateDirectory(workspace);
        await File.WriteAllTextAsync(Path.Combine(workspace, "left.txt"), "left behind");
        Directory.CreateDirectory(Path.Combine(data.Path, "runner"));
        const string tag = "builtin:crashed/node-77";
        await File.WriteAllLinesAsync(Path.Combine(data.Path, "runner", "77.node"), [tag, workspace]);

        var start = new ProcessStartInfo("/usr/bin/setsid") { ArgumentList = { "sleep", "300" } };
        start.Environment["PORTHOLE_NODE_TAG"] = tag;
        using var leftover = Process.Start(start)!;
        var bystander = new ProcessStartInfo("/usr/bin/setsid") { ArgumentList = { "sleep", "300" } };
        bystander.Environment["PORTHOLE_NODE_TAG"] = tag + "-other";
        using var other = Process.Start(bystander)!;
        try
        {
            await using var server = await RunningServer.StartAsync(data.Path);
            // The cleanup ends the processes first and removes the workspace and the record after: wait for all of it.
            var nodeFile = Path.Combine(data.Path, "runner", "77.node");
            for (var i = 0; i < 200 && (!leftover.HasExited || Directory.Exists(workspace) || File.Exists(nodeFile)); i++)
            {
                await Task.Delay(50);
            }

            Assert.True(leftover.HasExited, "the crashed node's process is still running");
            Assert.False(other.HasExited, "a process with another tag was ended");
            Assert.False(Directory.Exists(workspace));
            Assert.False(File.Exists(nodeFile));
        }
        finally
        {
            foreach (var process in new[] { leftover, other })
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    await process.WaitForExitAsync();
                }
            }
        }
    }
}
