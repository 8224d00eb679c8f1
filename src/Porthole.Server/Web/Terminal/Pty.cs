using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Porthole.Server.Web.Terminal;

/// <summary>The size of a terminal in character cells.</summary>
public readonly record struct TerminalSize(int Columns, int Rows)
{
    public static readonly TerminalSize Default = new(80, 24);

    /// <summary>What a browser asks is kept to what a terminal can be: 1 to 1000 cells each way.</summary>
    public static TerminalSize Clamped(int columns, int rows) => new(Math.Clamp(columns, 1, 1000), Math.Clamp(rows, 1, 1000));
}

/// <summary>
/// A pseudo-terminal from libc (<c>posix_openpt</c>): the server holds the master side, a program started on
/// <see cref="SlavePath"/> gets it as its terminal. The server keeps the slave side open too until <see cref="CloseSlave"/>,
/// so that reading the master waits for the program instead of ending before it opened its side; after the program has
/// exited and the slave is closed, <see cref="Read"/> returns what is left, then 0.
/// </summary>
internal sealed partial class Pty : IDisposable
{
    // Linux's values, the same on x86-64 and arm64.
    private const int ReadWrite = 0x2;
    private const int NoControllingTerminal = 0x100;
    private const int CloseOnExec = 0x80000;
    private const nuint SetWindowSize = 0x5414;
    private const int Interrupted = 4;
    private const int InputOutputError = 5;

    private readonly SafeFileHandle _master;
    private readonly Lock _gate = new();
    private SafeFileHandle? _slave;

    private Pty(SafeFileHandle master, SafeFileHandle slave, string slavePath)
    {
        _master = master;
        _slave = slave;
        SlavePath = slavePath;
    }

    /// <summary>The terminal device a program opens as its terminal (<c>/dev/pts/N</c>).</summary>
    public string SlavePath { get; }

    public static Pty Open(TerminalSize size)
    {
        // Close-on-exec: no program the server starts may hold either side; no controlling terminal for the server.
        var masterFd = posix_openpt(ReadWrite | NoControllingTerminal | CloseOnExec);
        if (masterFd < 0)
        {
            throw Failure("posix_openpt");
        }

        var master = new SafeFileHandle((IntPtr)masterFd, ownsHandle: true);
        try
        {
            if (grantpt(master) != 0)
            {
                throw Failure("grantpt");
            }

            if (unlockpt(master) != 0)
            {
                throw Failure("unlockpt");
            }

            Span<byte> name = stackalloc byte[256];
            var error = ptsname_r(master, name, (nuint)name.Length);
            if (error != 0)
            {
                throw new IOException($"The terminal's device could not be named (ptsname_r: error {error}).");
            }

            var path = Encoding.UTF8.GetString(name[..name.IndexOf((byte)0)]);
            var slaveFd = open(path, ReadWrite | NoControllingTerminal | CloseOnExec);
            if (slaveFd < 0)
            {
                throw Failure("open " + path);
            }

            var pty = new Pty(master, new SafeFileHandle((IntPtr)slaveFd, ownsHandle: true), path);
            pty.Resize(size);
            return pty;
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Reads what the program wrote, waiting for it; 0 once the program has gone and the slave is closed.</summary>
    public int Read(Span<byte> buffer)
    {
        while (true)
        {
            var count = read(_master, buffer, (nuint)buffer.Length);
            if (count >= 0)
            {
                return (int)count;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error == Interrupted)
            {
                continue;
            }

            if (error == InputOutputError)
            {
                return 0;
            }

            throw new IOException($"Reading the terminal failed (error {error}).");
        }
    }

    /// <summary>Types into the program's terminal; false when nobody is on the other side any more.</summary>
    public bool Write(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            var count = write(_master, bytes, (nuint)bytes.Length);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == Interrupted)
                {
                    continue;
                }

                return false;
            }

            bytes = bytes[(int)count..];
        }

        return true;
    }

    /// <summary>Sets the terminal's size; the program (its foreground process group) gets SIGWINCH.</summary>
    public void Resize(TerminalSize size)
    {
        var windowSize = new WindowSize((ushort)size.Rows, (ushort)size.Columns, 0, 0);
        if (ioctl(_master, SetWindowSize, ref windowSize) != 0)
        {
            throw Failure("ioctl TIOCSWINSZ");
        }
    }

    /// <summary>Lets go of the slave side: call once the program has exited, so that <see cref="Read"/> ends.</summary>
    public void CloseSlave()
    {
        lock (_gate)
        {
            _slave?.Dispose();
            _slave = null;
        }
    }

    public void Dispose()
    {
        CloseSlave();
        _master.Dispose();
    }

    private static IOException Failure(string call) => new($"The terminal could not be set up ({call}: error {Marshal.GetLastPInvokeError()}).");

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct WindowSize(ushort Rows, ushort Columns, ushort XPixels, ushort YPixels);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int grantpt(SafeFileHandle fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlockpt(SafeFileHandle fd);

    [LibraryImport("libc")]
    private static partial int ptsname_r(SafeFileHandle fd, Span<byte> buffer, nuint length);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(SafeFileHandle fd, Span<byte> buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(SafeFileHandle fd, ReadOnlySpan<byte> buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(SafeFileHandle fd, nuint request, ref WindowSize size);
}
