using Porthole.Execution.Processes;

namespace Porthole.Ssh.Processes;

/// <summary>Who owns a file.</summary>
internal static class FileOwner
{
    /// <summary>The owner's uid, or null when the file cannot be looked at. Follows a symbolic link, as sshd's checks do.</summary>
    public static uint? Of(string path) => FileOwnership.OwnerOf(path, followLinks: true);
}
