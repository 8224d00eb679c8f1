using System.Net;
using System.Net.Sockets;
using Porthole.Execution.Processes;

namespace Porthole.Execution.Tests.Processes;

public sealed class ProcSocketsTests
{
    [Fact]
    public void A_socket_the_process_opens_is_among_its_socket_inodes()
    {
        var before = ProcSockets.InodesOf(Environment.ProcessId);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var after = ProcSockets.InodesOf(Environment.ProcessId);

            Assert.NotEmpty(after.Except(before));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void A_process_that_does_not_exist_holds_no_sockets() =>
        Assert.Empty(ProcSockets.InodesOf(int.MaxValue));
}
