using System.Runtime.InteropServices;

namespace Porthole.Ssh.Processes;

/// <summary>Who owns a file, from statx(2), whose layout is the same on every Linux architecture.</summary>
internal static partial class FileOwner
{
    private const int AtFdCwd = -100;
    private const uint StatxUid = 0x8;
    private const int StructSize = 256;
    private const int UidOffset = 20;

    /// <summary>The owner's uid, or null when the file cannot be looked at.</summary>
    public static uint? Of(string path)
    {
        var buffer = new byte[StructSize];
        return Statx(AtFdCwd, path, 0, StatxUid, buffer) == 0 ? BitConverter.ToUInt32(buffer, UidOffset) : null;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, [Out] byte[] buffer);
}
