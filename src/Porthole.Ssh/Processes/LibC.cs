using System.Runtime.InteropServices;

namespace Porthole.Ssh.Processes;

internal static partial class LibC
{
    internal const int SigKill = 9;

    /// <summary>kill(2).</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();
}
