using System.Runtime.InteropServices;

namespace Porthole.Execution.Processes;

internal static partial class LibC
{
    /// <summary>kill(2): a negative pid signals the whole process group.</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getpgrp")]
    internal static partial int GetProcessGroup();
}
