using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Porthole.Execution.Processes;

/// <summary>
/// Another process's network namespace (a container's), held open by a descriptor: sockets made in it
/// (<see cref="CreateSocketAsync"/>) connect to its addresses, its loopback too, from the runner. Holding the descriptor
/// from the start means a pid reused later never names another namespace. Joining one takes root (CAP_SYS_ADMIN).
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000;
    private const int CloneNewNet = 0x40000000;

    private readonly SafeFileHandle _descriptor;

    private NetworkNamespace(SafeFileHandle descriptor) => _descriptor = descriptor;

    /// <summary>
    /// The namespace as another program of the runner's (nsenter's <c>--net=</c>) opens it: through the descriptor the
    /// runner holds, never by the process's id, which could name another process's namespace once that one has ended.
    /// </summary>
    public string Path => string.Create(CultureInfo.InvariantCulture, $"/proc/{Environment.ProcessId}/fd/{_descriptor.DangerousGetHandle()}");

    /// <summary>The kernel's TCP tables as the namespace of <paramref name="pid"/> sees them (<c>tcp</c>, <c>tcp6</c>).</summary>
    public static string SocketTablesOf(int pid) => string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/net");

    /// <summary>Opens the network namespace of <paramref name="pid"/>.</summary>
    /// <exception cref="IOException">It cannot be opened (the process is gone, or the runner may not).</exception>
    public static NetworkNamespace Open(int pid)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/ns/net");
        var descriptor = LibC.Open(path, ReadOnly | CloseOnExec);
        if (descriptor < 0)
        {
            throw new IOException($"{path} could not be opened: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        return new NetworkNamespace(new SafeFileHandle(descriptor, ownsHandle: true));
    }

    /// <summary>
    /// A TCP socket made inside the namespace. setns moves one thread only, so a thread of its own joins the namespace,
    /// makes the socket and ends (never a pool thread, which would carry the namespace into other work); the socket stays
    /// in the namespace it was made in, whichever thread uses it.
    /// </summary>
    /// <exception cref="IOException">The thread could not join the namespace.</exception>
    public Task<Socket> CreateSocketAsync(AddressFamily family)
    {
        var made = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var added = false;
            _descriptor.DangerousAddRef(ref added);
            try
            {
                if (LibC.SetNamespace((int)_descriptor.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    made.SetException(new IOException($"Joining the node's network namespace failed: {Marshal.GetLastPInvokeErrorMessage()}"));
                    return;
                }

                made.SetResult(new Socket(family, SocketType.Stream, ProtocolType.Tcp));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                made.SetException(e);
            }
            finally
            {
                if (added)
                {
                    _descriptor.DangerousRelease();
                }
            }
        })
        {
            IsBackground = true,
            Name = "porthole-netns",
        };
        thread.Start();
        return made.Task;
    }

    public void Dispose() => _descriptor.Dispose();
}
