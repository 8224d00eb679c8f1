using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Porthole.Execution.Processes;

/// <summary>
/// Opens a file for reading only when it is a regular file, never through a symbolic link and never a device or a FIFO:
/// for files in a folder that a job can change (a container's root writes in its mount of the node's scratch folder,
/// and could put a link to the server's database there, or a device node of the host's disk).
/// </summary>
public static class RegularFile
{
    private const int ReadOnly = 0;
    private const int NonBlock = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int StatxModeOffset = 28;
    private const int TypeMask = 0xF000;
    private const int Regular = 0x8000;

    /// <summary>O_NOFOLLOW, whose value differs between architectures.</summary>
    private static int NoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>The file opened for reading, or null when it is missing, a link, or not a regular file.</summary>
    public static FileStream? OpenRead(string path)
    {
        var descriptor = LibC.Open(path, ReadOnly | NoFollow | NonBlock | CloseOnExec);
        if (descriptor < 0)
        {
            return null;
        }

        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        var buffer = new byte[256];
        if (LibC.Statx(descriptor, string.Empty, AtEmptyPath, StatxType, buffer) != 0 || (BitConverter.ToUInt16(buffer, StatxModeOffset) & TypeMask) != Regular)
        {
            handle.Dispose();
            return null;
        }

        return new FileStream(handle, FileAccess.Read);
    }
}
