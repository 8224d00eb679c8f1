using System.Runtime.InteropServices;

namespace Porthole.Execution.Processes;

/// <summary>Gives a file to an account (lchown): what a root runner does with the files its job account must own.</summary>
public static class FileOwnership
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxUid = 0x8;
    private const int StatxSize = 256;
    private const uint StatxGid = 0x10;
    private const int StatxUidOffset = 20;
    private const int StatxGidOffset = 24;

    /// <summary>Whether this process runs as root (effective uid 0).</summary>
    public static bool IsRoot => LibC.GetEffectiveUserId() == 0;

    /// <summary>The owner's uid (statx, whose layout is the same on every Linux architecture), or null when the file cannot be looked at.</summary>
    public static uint? OwnerOf(string path, bool followLinks = false) => OwnersOf(path, followLinks)?.Uid;

    /// <summary>The owning user and group, without following a symbolic link unless asked; null when the file cannot be looked at.</summary>
    public static (uint Uid, uint Gid)? OwnersOf(string path, bool followLinks = false)
    {
        var buffer = new byte[StatxSize];
        return LibC.Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxUid | StatxGid, buffer) == 0
            ? (BitConverter.ToUInt32(buffer, StatxUidOffset), BitConverter.ToUInt32(buffer, StatxGidOffset))
            : null;
    }

    /// <exception cref="IOException">The owner could not be changed.</exception>
    public static void Give(string path, int uid, int gid)
    {
        if (LibC.LChown(path, (uint)uid, (uint)gid) != 0)
        {
            throw new IOException($"The owner of '{path}' could not be set to {uid}:{gid} (errno {Marshal.GetLastPInvokeError()}).");
        }
    }
}
